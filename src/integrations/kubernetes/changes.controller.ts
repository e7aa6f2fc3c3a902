import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import type { FieldError } from '../../common/field-error.js';
import { intParam, optionalString } from '../../common/query-params.js';
import { ChangesService, ChangeView } from './changes.service.js';
import { KubernetesStatus, KubernetesStatusView } from './kubernetes-status.js';

const ERRORS = { $ref: '#/components/schemas/Errors' };
const DEFAULT_RANGE_MS = 24 * 3600 * 1000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

@ApiTags('Kubernetes')
@Controller('api/v1')
export class ChangesController {
  constructor(
    @Inject(ChangesService) private readonly changes: ChangesService,
    @Inject(KubernetesStatus) private readonly status: KubernetesStatus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('changes')
  @ApiOperation({
    summary: 'The cluster change log: deploys, config rollouts, scale events and folded events, newest first',
  })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'workload', required: false, description: 'Deployment, StatefulSet or DaemonSet name' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601 time; default: 24 h before `to`' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601 time; default: now' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            description:
              'type "deploy" or "configRollout" (revision, container, image, previousImage, digest, previousDigest, ' +
              'startedAt, finishedAt, failedAt), "scale" (fromReplicas, toReplicas) or "event" (eventType, reason, ' +
              'objectKind, objectName, count, firstSeen, lastSeen, message); all have namespace and at',
            properties: { type: { type: 'string', enum: ['deploy', 'configRollout', 'scale', 'event'] } },
          },
        },
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
      },
    },
  })
  @ApiResponse({ status: 400, description: 'A bad query parameter, named', schema: ERRORS })
  list(@Query() query: Record<string, unknown>): Promise<{ items: ChangeView[]; from: string; to: string }> {
    const errors: FieldError[] = [];
    const collect = <T>(read: () => T): T | undefined => {
      try {
        return read();
      } catch (error) {
        if (error instanceof BurnwatchError) errors.push(...error.errors);
        else throw error;
        return undefined;
      }
    };
    const namespace = collect(() => optionalString('namespace', query.namespace));
    const workload = collect(() => optionalString('workload', query.workload));
    const limit = collect(() => intParam('limit', query.limit, 100, 1, 500));
    const to = collect(() => timeParam('to', query.to)) ?? this.clock.now();
    const from = collect(() => timeParam('from', query.from)) ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
    if (errors.length === 0 && from > to)
      errors.push({ field: 'from', message: `must not be after to (${to.toISOString()})` });
    if (errors.length > 0) throw BurnwatchError.invalid(errors);
    return this.changes.list({ namespace, workload, from, to, limit: limit! });
  }

  @Get('kubernetes/status')
  @ApiOperation({ summary: 'Whether Burnwatch watches a cluster, and when it last heard from it' })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        state: { type: 'string', enum: ['disabled', 'notConfigured', 'connecting', 'connected', 'error'] },
        message: { type: 'string' },
        server: { type: 'string', nullable: true },
        source: { type: 'string', nullable: true },
        lastSyncAt: { type: 'string', format: 'date-time', nullable: true },
        watches: { type: 'array', items: { type: 'object' } },
      },
    },
  })
  kubernetesStatus(): KubernetesStatusView {
    return this.status.snapshot();
  }
}

function timeParam(field: string, raw: unknown): Date | undefined {
  const text = optionalString(field, raw);
  if (text === undefined || text === '') return undefined;
  const time = new Date(text);
  if (!ISO_TIME.test(text) || Number.isNaN(time.getTime()))
    throw BurnwatchError.invalid([
      { field, message: `must be an ISO 8601 time such as 2026-11-25T12:00:00Z, got "${text}"` },
    ]);
  return time;
}
