import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { intParam, optionalString } from '../common/query-params.js';
import { SloService, SloPage } from './slo.service.js';
import { SloView } from './slo.view.js';

const SLO_INPUT = { $ref: '#/components/schemas/SloInput' };
const SLO = { $ref: '#/components/schemas/Slo' };
const ERRORS = { $ref: '#/components/schemas/Errors' };

@ApiTags('SLOs')
@Controller('api/v1/slos')
export class SloController {
  constructor(@Inject(SloService) private readonly slos: SloService) {}

  @Post()
  @ApiOperation({ summary: 'Create an SLO' })
  @ApiBody({ schema: SLO_INPUT })
  @ApiResponse({ status: 201, schema: SLO })
  @ApiResponse({ status: 400, description: 'Invalid SLO: every problem listed by field', schema: ERRORS })
  @ApiResponse({ status: 409, description: 'An SLO with this name exists', schema: ERRORS })
  create(@Body() body: unknown): Promise<SloView> {
    return this.slos.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List SLOs, sorted by name' })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'workload', required: false })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        items: { type: 'array', items: SLO },
        total: { type: 'integer' },
        nextCursor: { type: 'string', nullable: true },
      },
    },
  })
  list(@Query() query: Record<string, unknown>): Promise<SloPage> {
    return this.slos.list({
      namespace: optionalString('namespace', query.namespace),
      workload: optionalString('workload', query.workload),
      team: optionalString('team', query.team),
      cursor: optionalString('cursor', query.cursor),
      limit: intParam('limit', query.limit, 100, 1, 500),
    });
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get one SLO' })
  @ApiResponse({ status: 200, schema: SLO })
  @ApiResponse({ status: 404, schema: ERRORS })
  get(@Param('name') name: string): Promise<SloView> {
    return this.slos.get(name);
  }

  @Put(':name')
  @ApiOperation({ summary: 'Replace an SLO' })
  @ApiBody({ schema: SLO_INPUT })
  @ApiResponse({ status: 200, schema: SLO })
  @ApiResponse({ status: 400, schema: ERRORS })
  @ApiResponse({ status: 404, schema: ERRORS })
  replace(@Param('name') name: string, @Body() body: unknown): Promise<SloView> {
    return this.slos.replace(name, body);
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Change part of an SLO (JSON merge patch, RFC 7386: null removes a field)' })
  @ApiBody({ schema: { type: 'object' } })
  @ApiResponse({ status: 200, schema: SLO })
  @ApiResponse({ status: 400, schema: ERRORS })
  @ApiResponse({ status: 404, schema: ERRORS })
  patch(@Param('name') name: string, @Body() body: unknown): Promise<SloView> {
    return this.slos.patch(name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an SLO' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, schema: ERRORS })
  async remove(@Param('name') name: string): Promise<void> {
    await this.slos.remove(name);
  }
}
