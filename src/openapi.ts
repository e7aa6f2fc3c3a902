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
          },
        },
      ],
    },
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
