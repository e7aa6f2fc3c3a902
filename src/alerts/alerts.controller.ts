import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BurnwatchError } from '../common/errors.js';
import { intParam, optionalString } from '../common/query-params.js';
import { AlertDetailView, AlertView, AlertsService } from './alerts.service.js';
import type { AlertState } from './domain/alert-transition.js';
import { CLOCK, Clock } from '../common/clock.js';

const STATES: readonly AlertState[] = ['firing', 'resolved'];

@ApiTags('Alerts')
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(
    @Inject(AlertsService) private readonly alerts: AlertsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Firing and past alerts, newest first' })
  @ApiQuery({ name: 'state', required: false, enum: STATES })
  @ApiQuery({ name: 'slo', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  list(@Query() query: Record<string, unknown>): Promise<{ items: AlertView[] }> {
    const state = optionalString('state', query.state);
    if (state !== undefined && !STATES.includes(state as AlertState)) {
      throw BurnwatchError.invalid([
        { field: 'state', message: `must be "firing" or "resolved", got "${state}"` },
      ]);
    }
    return this.alerts.list(
      {
        state: state as AlertState | undefined,
        slo: optionalString('slo', query.slo),
        limit: intParam('limit', query.limit, 100, 1, 500),
      },
      this.clock.now(),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert with its transitions, correlation and notifications' })
  @ApiResponse({ status: 404, schema: { $ref: '#/components/schemas/Errors' } })
  get(@Param('id') id: string): Promise<AlertDetailView> {
    return this.alerts.get(id, this.clock.now());
  }
}
