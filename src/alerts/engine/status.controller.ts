import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { sendCachedBody } from '../../common/cached-body.js';
import { BurnwatchError } from '../../common/errors.js';
import { optionalString } from '../../common/query-params.js';
import { SloStatusService, SloStatusView, StatusListView } from './slo-status.service.js';
import type { SloTimeseries } from './timeseries.js';

const STATUSES = ['ok', 'ticket', 'page', 'noData', 'stale', 'error'];
const VIEWS: StatusListView[] = ['full', 'summary'];

@ApiTags('Error budgets')
@Controller('api/v1')
export class StatusController {
  constructor(@Inject(SloStatusService) private readonly statuses: SloStatusService) {}

  @Get('slos/:name/status')
  @ApiOperation({
    summary:
      "An SLO's SLI, error budget, burn rate per alert window, forecast, firing alerts and data freshness",
  })
  status(@Param('name') name: string): Promise<SloStatusView> {
    return this.statuses.status(name);
  }

  @Get('slo-statuses')
  @ApiOperation({
    summary: 'The status of every SLO (for overviews), filterable',
    description:
      'view=summary gives what an SLO list shows of each status (SloStatusSummary: the same fields and shapes ' +
      'as the full view, fewer of them; about half the bytes); view=full (the default) the whole status. ' +
      'Answers carry a strong ETag (304 to If-None-Match) and are compressed (br, gzip) when Accept-Encoding asks.',
  })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'view', required: false, enum: VIEWS, description: 'Default full' })
  @ApiResponse({
    status: 200,
    description: 'items: SloStatusSummary with view=summary, the full status otherwise',
    headers: { ETag: { description: 'The version of this list; send it back in If-None-Match' } },
    schema: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            oneOf: [
              { $ref: '#/components/schemas/SloStatusSummary' },
              { $ref: '#/components/schemas/SloStatus' },
            ],
          },
        },
      },
    },
  })
  @ApiResponse({ status: 304, description: 'The list is unchanged since the ETag in If-None-Match' })
  async all(
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const status = optionalString('status', query.status);
    if (status !== undefined && !STATUSES.includes(status)) {
      throw BurnwatchError.invalid([
        { field: 'status', message: `must be one of ${STATUSES.join(', ')}, got "${status}"` },
      ]);
    }
    const view = optionalString('view', query.view) ?? 'full';
    if (!(VIEWS as string[]).includes(view)) {
      throw BurnwatchError.invalid([
        { field: 'view', message: `must be one of ${VIEWS.join(', ')}, got "${view}"` },
      ]);
    }
    const body = await this.statuses.allJson({
      team: optionalString('team', query.team),
      namespace: optionalString('namespace', query.namespace),
      status,
      view: view as StatusListView,
    });
    await sendCachedBody(request, response, body);
  }

  @Get('slos/:name/timeseries')
  @ApiOperation({
    summary: 'SLI, budget remaining and burn rates over time, columnar (for charts)',
    description:
      'from/to: ISO 8601 with a zone or Unix seconds, 2000 to 2100 (default: the SLO window up to now); step: seconds, a multiple of 60, at most 2,000 points (default: at most 500).',
  })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'step', required: false })
  timeseries(@Param('name') name: string, @Query() query: Record<string, unknown>): Promise<SloTimeseries> {
    return this.statuses.timeseries(name, {
      from: optionalString('from', query.from),
      to: optionalString('to', query.to),
      step: optionalString('step', query.step),
    });
  }
}
