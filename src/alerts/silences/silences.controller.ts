import { Body, Controller, Delete, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { BurnwatchError } from '../../common/errors.js';
import { intParam, optionalString } from '../../common/query-params.js';
import type { SilenceState } from '../domain/silence.js';
import { silenceInputSchema } from '../domain/silence-input.js';
import { SilenceView, SilencesService } from './silences.service.js';

const STATES: readonly SilenceState[] = ['active', 'pending', 'expired'];
const ERRORS = { $ref: '#/components/schemas/Errors' };
const SILENCE_INPUT = openApiOf(silenceInputSchema);
const SILENCE: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    matchers: SILENCE_INPUT.properties!.matchers as SchemaObject,
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time', nullable: true },
    untilResolved: { type: 'boolean' },
    alertId: { type: 'string', format: 'uuid', nullable: true },
    createdBy: { type: 'string' },
    comment: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    status: { type: 'object', properties: { state: { type: 'string', enum: [...STATES] } } },
  },
};

@ApiTags('Silences')
@Controller('api/v1/silences')
export class SilencesController {
  constructor(@Inject(SilencesService) private readonly silences: SilencesService) {}

  @Post()
  @ApiOperation({
    summary: 'Hold the notifications of matching alerts for a while, or until an alert resolves',
    description:
      "Alertmanager's shape: every matcher must match (slo, team, namespace, workload, severity; regexes are " +
      'anchored). A silenced alert is still evaluated, recorded and shown; its Slack notifications are kept as ' +
      '"held". When the silence ends while the alert still fires, its current state is notified once.',
  })
  @ApiBody({ schema: SILENCE_INPUT })
  @ApiResponse({ status: 201, schema: SILENCE })
  @ApiResponse({ status: 400, description: 'Every problem listed by field', schema: ERRORS })
  @ApiResponse({ status: 401, schema: ERRORS })
  create(@Body() body: unknown): Promise<SilenceView> {
    return this.silences.create(body);
  }

  @Get()
  @ApiOperation({
    summary: 'Silences: active (soonest to end first), then pending, then expired (newest first)',
  })
  @ApiQuery({ name: 'state', required: false, enum: STATES })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiResponse({
    status: 200,
    schema: { type: 'object', properties: { items: { type: 'array', items: SILENCE } } },
  })
  @ApiResponse({ status: 400, schema: ERRORS })
  list(@Query() query: Record<string, unknown>): Promise<{ items: SilenceView[] }> {
    const state = optionalString('state', query.state);
    if (state !== undefined && !STATES.includes(state as SilenceState)) {
      throw BurnwatchError.invalid([
        { field: 'state', message: `must be "active", "pending" or "expired", got "${state}"` },
      ]);
    }
    return this.silences.list({
      state: state as SilenceState | undefined,
      limit: intParam('limit', query.limit, 100, 1, 500),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One silence' })
  @ApiResponse({ status: 200, schema: SILENCE })
  @ApiResponse({ status: 404, schema: ERRORS })
  get(@Param('id') id: string): Promise<SilenceView> {
    return this.silences.get(id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Expire a silence now (the record is kept, endsAt becomes now); expiring twice is a no-op',
  })
  @ApiResponse({ status: 200, schema: SILENCE })
  @ApiResponse({ status: 401, schema: ERRORS })
  @ApiResponse({ status: 404, schema: ERRORS })
  expire(@Param('id') id: string): Promise<SilenceView> {
    return this.silences.expire(id);
  }
}

function openApiOf(schema: z.ZodType): SchemaObject {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' });
  delete (json as Record<string, unknown>).$schema;
  return json as SchemaObject;
}
