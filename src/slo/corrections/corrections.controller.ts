import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { BurnwatchError } from '../../common/errors.js';
import { parseTimeParam } from '../../common/time-param.js';
import { optionalString } from '../../common/query-params.js';
import { CorrectionList, CorrectionView, CorrectionsService } from './corrections.service.js';

const ERRORS = { $ref: '#/components/schemas/Errors' };
const RANGE: SchemaObject = {
  type: 'object',
  properties: {
    start: { type: 'string', format: 'date-time' },
    end: { type: 'string', format: 'date-time' },
  },
};
const CORRECTION_INPUT: SchemaObject = {
  oneOf: [
    {
      title: 'One-off',
      type: 'object',
      required: ['start', 'end', 'reason'],
      additionalProperties: false,
      properties: {
        start: { type: 'string', format: 'date-time', example: '2026-11-14T02:00:00Z' },
        end: { type: 'string', format: 'date-time', example: '2026-11-14T04:00:00Z' },
        reason: { type: 'string', maxLength: 1000, example: 'planned load test' },
        createdBy: { type: 'string', maxLength: 253, description: 'Who made it; "api" when not given' },
      },
    },
    {
      title: 'Recurring',
      type: 'object',
      required: ['start', 'duration', 'rrule', 'timeZone', 'reason'],
      additionalProperties: false,
      properties: {
        start: {
          type: 'string',
          description:
            'The first occurrence as wall time in timeZone (2026-11-01T02:00), or an instant with a zone',
          example: '2026-11-01T02:00',
        },
        duration: { type: 'string', description: '"2h", "90m", "1d" or ISO 8601 "PT2H"', example: '2h' },
        rrule: { type: 'string', description: 'RFC 5545 RRULE', example: 'FREQ=WEEKLY;BYDAY=SU' },
        timeZone: { type: 'string', description: 'IANA time zone', example: 'Europe/Berlin' },
        reason: { type: 'string', maxLength: 1000, example: 'weekly maintenance window' },
        createdBy: { type: 'string', maxLength: 253 },
      },
    },
  ],
};
const CORRECTION: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { type: 'string', enum: ['oneOff', 'recurring'] },
    start: { type: 'string' },
    end: { type: 'string', format: 'date-time' },
    duration: { type: 'string' },
    rrule: { type: 'string' },
    timeZone: { type: 'string' },
    reason: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    upcoming: { type: 'array', items: RANGE, description: 'The next occurrences from now (at most 3)' },
  },
};

@ApiTags('Budget corrections')
@Controller('api/v1/slos/:name/corrections')
export class CorrectionsController {
  constructor(@Inject(CorrectionsService) private readonly corrections: CorrectionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Leave a time range out of the SLI and the error budget (once, or on an RFC 5545 schedule)',
    description:
      'A correction in the past recomputes the SLI, the budget and the timeseries; burn-rate alerts ignore ' +
      'corrected minutes, so an incident wholly inside a correction neither fires nor keeps an alert firing.',
  })
  @ApiBody({ schema: CORRECTION_INPUT })
  @ApiResponse({ status: 201, schema: CORRECTION })
  @ApiResponse({ status: 400, description: 'Every problem listed by field', schema: ERRORS })
  @ApiResponse({ status: 404, schema: ERRORS })
  create(@Param('name') name: string, @Body() body: unknown): Promise<CorrectionView> {
    return this.corrections.create(name, body);
  }

  @Get()
  @ApiOperation({ summary: "An SLO's corrections and the ranges they cover within [from, to)" })
  @ApiQuery({ name: 'from', required: false, description: 'Default: the start of the SLO window' })
  @ApiQuery({ name: 'to', required: false, description: 'Default: a week from now' })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        items: { type: 'array', items: CORRECTION },
        ranges: { type: 'array', items: RANGE, description: 'Corrected ranges, overlaps merged' },
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
      },
    },
  })
  @ApiResponse({ status: 400, schema: ERRORS })
  @ApiResponse({ status: 404, schema: ERRORS })
  list(@Param('name') name: string, @Query() query: Record<string, unknown>): Promise<CorrectionList> {
    return this.corrections.list(name, time('from', query.from), time('to', query.to));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a correction: its time counts again, retroactively' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, schema: ERRORS })
  async remove(@Param('name') name: string, @Param('id') id: string): Promise<void> {
    await this.corrections.remove(name, id);
  }
}

function time(field: string, raw: unknown): Date | undefined {
  const text = optionalString(field, raw);
  if (text === undefined) return undefined;
  const parsed = parseTimeParam(field, text);
  if (!(parsed instanceof Date)) throw BurnwatchError.invalid([parsed]);
  return parsed;
}
