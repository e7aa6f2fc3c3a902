import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import { optionalString } from '../../common/query-params.js';
import { GateInput, GateOptions, GateVerdict, gateVerdict } from '../domain/gate.js';
import { SloStatusService, SloStatusView } from './slo-status.service.js';

export interface GateView extends GateVerdict {
  /** What each SLO said, for the record of the rollout. */
  slos: GateInput[];
  options: GateOptions;
  evaluatedAt: string;
}

const GATE: SchemaObject = {
  type: 'object',
  properties: {
    proceed: { type: 'boolean', description: 'Whether the rollout should go ahead' },
    reasons: {
      type: 'array',
      items: {
        type: 'object',
        properties: { slo: { type: 'string' }, blocking: { type: 'boolean' }, reason: { type: 'string' } },
      },
    },
    slos: { type: 'array', items: { type: 'object' } },
    options: { type: 'object' },
    evaluatedAt: { type: 'string', format: 'date-time' },
  },
};
const QUERIES = [
  {
    name: 'minBudgetPercent',
    required: false,
    description:
      'Stop when less than this share of the error budget is left (0–100, default 0: only when spent)',
  },
  {
    name: 'onUnknown',
    required: false,
    enum: ['proceed', 'halt'],
    description:
      'What an SLO without data, stale or failing does (default proceed; the reason still says so)',
  },
  {
    name: 'strict',
    required: false,
    enum: ['true', 'false'],
    description: 'true: answer 409 when proceed is false, so that `curl --fail` stops a CI step',
  },
];

/**
 * GET answers for Argo Rollouts' `web` metric provider (successCondition on `$.proceed`) and for CI steps.
 * See docs/deploy-gate.md.
 */
@ApiTags('Deploy gate')
@Controller('api/v1')
export class GateController {
  constructor(
    @Inject(SloStatusService) private readonly statuses: SloStatusService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('slos/:name/gate')
  @ApiOperation({
    summary: 'Should a rollout of this SLO’s workload proceed? (budget left, no page burning)',
  })
  @ApiQuery(QUERIES[0]!)
  @ApiQuery(QUERIES[1]!)
  @ApiQuery(QUERIES[2]!)
  @ApiResponse({ status: 200, schema: GATE })
  @ApiResponse({ status: 409, description: 'strict=true and proceed is false', schema: GATE })
  async slo(
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GateView> {
    const { options, strict } = parseOptions(query);
    const status = await this.statuses.status(name);
    return answer(response, [status], options, strict, this.clock.now());
  }

  @Get('gate')
  @ApiOperation({
    summary: 'Should a rollout of this workload proceed? Every SLO on the workload must agree',
  })
  @ApiQuery({ name: 'workload', required: true })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery(QUERIES[0]!)
  @ApiQuery(QUERIES[1]!)
  @ApiQuery(QUERIES[2]!)
  @ApiResponse({ status: 200, schema: GATE })
  @ApiResponse({ status: 409, description: 'strict=true and proceed is false', schema: GATE })
  async workload(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GateView> {
    const { options, strict } = parseOptions(query);
    const workload = optionalString('workload', query.workload);
    if (workload === undefined || workload === '') {
      throw BurnwatchError.invalid([
        { field: 'workload', message: 'is required: the workload about to roll out' },
      ]);
    }
    const namespace = optionalString('namespace', query.namespace);
    const { items } = await this.statuses.all({ namespace });
    return answer(
      response,
      items.filter((s) => s.workload === workload),
      options,
      strict,
      this.clock.now(),
    );
  }
}

function answer(
  response: Response,
  statuses: SloStatusView[],
  options: GateOptions,
  strict: boolean,
  now: Date,
): GateView {
  const slos = statuses.map(toGateInput);
  const verdict = gateVerdict(slos, options);
  if (strict && !verdict.proceed) response.status(409);
  return { ...verdict, slos, options, evaluatedAt: now.toISOString() };
}

function toGateInput(status: SloStatusView): GateInput {
  const page = status.alerts.find((a) => a.state === 'firing' && a.severity === 'page');
  const ticket = status.alerts.find((a) => a.state === 'firing' && a.severity === 'ticket');
  const firing = page ?? ticket;
  return {
    slo: status.slo,
    status: status.status,
    remainingPercent: status.errorBudget.remainingPercent,
    firingSeverity: firing ? (firing.severity as 'page' | 'ticket') : null,
    firingSince: firing?.startedAt ?? null,
  };
}

function parseOptions(query: Record<string, unknown>): { options: GateOptions; strict: boolean } {
  const errors = [];
  const min = optionalString('minBudgetPercent', query.minBudgetPercent) ?? '0';
  const minBudgetPercent = Number(min);
  if (!/^\d+(\.\d+)?$/.test(min) || minBudgetPercent > 100) {
    errors.push({ field: 'minBudgetPercent', message: `must be a number from 0 to 100, got "${min}"` });
  }
  const onUnknown = optionalString('onUnknown', query.onUnknown) ?? 'proceed';
  if (onUnknown !== 'proceed' && onUnknown !== 'halt') {
    errors.push({ field: 'onUnknown', message: `must be "proceed" or "halt", got "${onUnknown}"` });
  }
  const strict = optionalString('strict', query.strict) ?? 'false';
  if (strict !== 'true' && strict !== 'false') {
    errors.push({ field: 'strict', message: `must be "true" or "false", got "${strict}"` });
  }
  if (errors.length > 0) throw BurnwatchError.invalid(errors);
  return {
    options: { minBudgetPercent, onUnknown: onUnknown as GateOptions['onUnknown'] },
    strict: strict === 'true',
  };
}
