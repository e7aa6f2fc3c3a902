import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { sloInputSchema } from './slo/domain/slo-schema.js';

/** OpenAPI at /api/docs (UI) and /api/docs-json; request schemas come from the same zod schema that validates. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Burnwatch API')
    .setDescription(
      'SLO definitions, error budgets and burn-rate alerts. Writes need `Authorization: Bearer <token>` when ' +
        'BURNWATCH_API_TOKEN is set. Every 4xx lists its problems as `errors: [{ field, message }]`.',
    )
    .setVersion('v1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const sloInput = z.toJSONSchema(sloInputSchema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'any',
  });
  delete (sloInput as Record<string, unknown>).$schema;
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    SloInput: sloInput as never,
    Slo: {
      allOf: [
        { $ref: '#/components/schemas/SloInput' },
        {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid', readOnly: true },
            createdAt: { type: 'string', format: 'date-time', readOnly: true },
            updatedAt: { type: 'string', format: 'date-time', readOnly: true },
            errorBudget: {
              type: 'object',
              readOnly: true,
              properties: { percent: { type: 'number' }, description: { type: 'string' } },
            },
            effectiveAlerting: { type: 'object', readOnly: true },
            effectiveGrpcErrorCodes: {
              type: 'object',
              nullable: true,
              readOnly: true,
              description:
                "An error-rate SLO's gRPC status codes that count as errors: indicator.grpcErrorCodes, or the " +
                'default set (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS) with ' +
                'source "default" when it names none; null for other indicators.',
              properties: {
                codes: { type: 'array', items: { type: 'string' } },
                source: { type: 'string', enum: ['default', 'custom'] },
              },
            },
          },
        },
      ],
    },
    ...WORKLOAD_SCHEMAS,
    ...STATUS_SCHEMAS,
    Errors: {
      type: 'object',
      properties: {
        statusCode: { type: 'integer' },
        error: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, message: { type: 'string' } },
            required: ['field', 'message'],
          },
        },
      },
    },
  };
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

const nullableNumber = (description: string) => ({ type: 'number', nullable: true, description });
const instant = (description: string) => ({ type: 'string', format: 'date-time', description });

const STATUS_NAMES = ['ok', 'ticket', 'page', 'noData', 'stale', 'error'];
const nullableString = (description: string) => ({ type: 'string', nullable: true, description });

/**
 * GET /api/v1/slo-statuses?view=summary (SloStatusSummary in src/alerts/engine/slo-status.service.ts): what an
 * SLO list shows. Every field has the name and shape it has in the full status (SloStatus).
 */
const STATUS_SCHEMAS = {
  SloStatusSummary: {
    type: 'object',
    description: "What an SLO list shows of an SLO's status; each field as in SloStatus",
    properties: {
      slo: { type: 'string', description: 'The SLO name' },
      team: { type: 'string', nullable: true },
      namespace: { type: 'string', nullable: true },
      workload: { type: 'string' },
      status: { type: 'string', enum: STATUS_NAMES },
      objective: { type: 'number', description: 'Percent, e.g. 99.9' },
      window: {
        description: 'As written in the SLO: a duration ("30d") or a calendar window',
        oneOf: [{ type: 'string' }, { type: 'object' }],
      },
      sli: {
        type: 'object',
        properties: {
          percent: nullableNumber('Good events, percent of the window; null without events'),
          approximate: {
            type: 'boolean',
            description: 'A latency SLI interpolated between histogram bucket bounds in the current window',
          },
        },
        required: ['percent', 'approximate'],
      },
      errorBudget: {
        type: 'object',
        properties: { remainingPercent: nullableNumber('Budget left, percent; negative when overspent') },
        required: ['remainingPercent'],
      },
      burnRates: {
        type: 'array',
        description: 'One per alerting tier, with its long window',
        items: {
          type: 'object',
          properties: {
            severity: { type: 'string', enum: ['page', 'ticket'] },
            longWindow: { type: 'string', example: '1h' },
            threshold: { type: 'number', description: 'The burn rate at which the tier fires' },
            long: nullableNumber('The burn rate over the long window; null without events'),
          },
          required: ['severity', 'longWindow', 'threshold', 'long'],
        },
      },
      forecast: {
        type: 'object',
        properties: {
          exhaustionAt: nullableString('When the budget runs out at the current burn rate'),
          secondsToExhaustion: nullableNumber('Seconds until then; null when it does not'),
        },
        required: ['exhaustionAt', 'secondsToExhaustion'],
      },
      alerts: {
        type: 'array',
        description: 'Firing alerts (at most 10)',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            severity: { type: 'string', enum: ['page', 'ticket'] },
            state: { type: 'string', enum: ['firing'] },
            startedAt: { type: 'string', format: 'date-time' },
          },
          required: ['id', 'severity', 'state', 'startedAt'],
        },
      },
      staleSince: nullableString('Set when status is stale: the end of the last minute with data'),
      error: {
        type: 'object',
        nullable: true,
        description: 'Set when status is error: why the SLO could not be evaluated, since when',
        properties: { reason: { type: 'string' }, since: { type: 'string', format: 'date-time' } },
      },
      evaluatedAt: { type: 'string', format: 'date-time' },
    },
    required: [
      'slo',
      'team',
      'namespace',
      'workload',
      'status',
      'objective',
      'window',
      'sli',
      'errorBudget',
      'burnRates',
      'forecast',
      'alerts',
      'staleSince',
      'error',
      'evaluatedAt',
    ],
  },
  SloStatus: {
    description:
      "An SLO's whole status (GET /api/v1/slos/{name}/status; slo-statuses with view=full): every field of " +
      'SloStatusSummary, each with all of its members (sli.total and bad, every budget count, both windows of ' +
      'each tier, the full alerts), plus budgetPeriod, severities, corrections and dataFreshness',
    allOf: [{ $ref: '#/components/schemas/SloStatusSummary' }, { type: 'object' }],
  },
};

/** GET /api/v1/workloads (src/workloads/domain/workloads.ts). */
const TRAFFIC = {
  requestsPerMinute: { type: 'number', description: 'Over the last five minutes' },
  errorPercent: nullableNumber(
    '5xx answers, percent of requests over the last five minutes; null without requests',
  ),
  latency: {
    type: 'object',
    properties: {
      p95Ms: nullableNumber('95th percentile over the last five minutes'),
      p99Ms: nullableNumber('99th percentile over the last five minutes'),
      approximate: {
        type: 'boolean',
        enum: [true],
        description: 'Interpolated between histogram bucket bounds, as PromQL histogram_quantile',
      },
    },
    required: ['p95Ms', 'p99Ms', 'approximate'],
  },
};
const WORKLOAD_SCHEMAS = {
  Workload: {
    type: 'object',
    properties: {
      namespace: { type: 'string', nullable: true, description: 'null outside Kubernetes' },
      workload: {
        type: 'string',
        description: 'The Kubernetes workload, or the service name outside Kubernetes',
      },
      kind: { type: 'string', nullable: true, example: 'Deployment' },
      lastSeenAt: instant('Start of the last minute with a request'),
      ...TRAFFIC,
      routes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            method: { type: 'string' },
            route: { type: 'string' },
            lastSeenAt: instant('Start of the last minute with a request'),
            ...TRAFFIC,
          },
        },
      },
      images: {
        type: 'array',
        description: 'Container image digests seen in the last hour, most recent first',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            digest: { type: 'string', example: 'sha256:4c1e…' },
            lastSeenAt: instant('Start of the last minute with a request'),
          },
        },
      },
      slos: {
        type: 'array',
        description: 'SLOs that select this workload (or one of its routes)',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            indicator: { type: 'string', enum: ['errorRate', 'latency', 'ratio'] },
            route: { type: 'string' },
            method: { type: 'string' },
          },
        },
      },
      suggestedSlos: {
        type: 'array',
        description:
          "Bodies for POST /api/v1/slos: errors (5xx) at 99.9 % over 30d, and latency at 99 % within the bucket bound at or above the last hour's P99",
        items: { $ref: '#/components/schemas/SloInput' },
      },
    },
  },
  Workloads: {
    type: 'object',
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/Workload' } },
      recent: {
        type: 'object',
        description: 'The span rates, error share and latency are computed over',
        properties: { from: instant('Start'), to: instant('End (now)') },
      },
      seenSince: instant('A workload is listed when it had a request since then (one hour)'),
    },
  },
  SensorStatus: {
    type: 'object',
    properties: {
      state: {
        type: 'string',
        enum: ['running', 'starting', 'off', 'unavailable'],
        description: 'running: serving and scraped; off: BURNWATCH_SENSOR=off; unavailable: see reason',
      },
      reason: { type: 'string', nullable: true, example: 'Burnwatch is not running as root (…)' },
      action: { type: 'string', nullable: true, example: 'start it as root (sudo npm start), …' },
      loader: {
        type: 'object',
        nullable: true,
        properties: {
          path: { type: 'string' },
          origin: { type: 'string', enum: ['configured', 'prebuilt', 'built'] },
        },
      },
      metricsUrl: { type: 'string', nullable: true, example: 'http://127.0.0.1:9464/metrics' },
      pid: { type: 'integer', nullable: true },
      restarts: { type: 'integer', description: 'Restarts after the sensor exited on its own' },
    },
  },
};
