import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BurnwatchError } from '../../common/errors.js';
import { optionalString } from '../../common/query-params.js';
import { SloStatusService, SloStatusView } from './slo-status.service.js';
import type { SloTimeseries } from './timeseries.js';

const STATUSES = ['ok', 'ticket', 'page', 'noData', 'stale', 'error'];

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
  @ApiOperation({ summary: 'The status of every SLO (for overviews), filterable' })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  async all(
    @Query() query: Record<string, unknown>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const status = optionalString('status', query.status);
    if (status !== undefined && !STATUSES.includes(status)) {
      throw BurnwatchError.invalid([
        { field: 'status', message: `must be one of ${STATUSES.join(', ')}, got "${status}"` },
      ]);
    }
    const { body, etag } = await this.statuses.allJson({
      team: optionalString('team', query.team),
      namespace: optionalString('namespace', query.namespace),
      status,
    });
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('ETag', etag);
    // Sent as the cached bytes (Nest would serialise a Buffer as JSON of its bytes).
    if (ifNoneMatch === etag) response.status(304).end();
    else response.send(body);
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
