import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { sendCachedBody } from '../common/cached-body.js';
import { intParam, optionalString } from '../common/query-params.js';
import { SloListCache } from './slo-list.cache.js';
import { SloService, VersionedSlo } from './slo.service.js';
import { SloView } from './slo.view.js';

const SLO_INPUT = { $ref: '#/components/schemas/SloInput' };
const SLO = { $ref: '#/components/schemas/Slo' };
const ERRORS = { $ref: '#/components/schemas/Errors' };
const ETAG = { ETag: { description: 'The version of the SLO returned; send it back in If-Match' } };
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'Write only if the SLO is still at this ETag (412 otherwise); "*" for any version',
};
const STALE = { status: 412, description: 'The SLO changed since the ETag in If-Match', schema: ERRORS };

/** Sends the version's ETag header and returns the body. */
function withEtag(response: Response, slo: VersionedSlo): SloView {
  response.setHeader('ETag', slo.etag);
  return slo.view;
}

@ApiTags('SLOs')
@Controller('api/v1/slos')
export class SloController {
  constructor(
    @Inject(SloService) private readonly slos: SloService,
    @Inject(SloListCache) private readonly listCache: SloListCache,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an SLO' })
  @ApiBody({ schema: SLO_INPUT })
  @ApiResponse({ status: 201, schema: SLO, headers: ETAG })
  @ApiResponse({ status: 400, description: 'Invalid SLO: every problem listed by field', schema: ERRORS })
  @ApiResponse({ status: 409, description: 'An SLO with this name exists', schema: ERRORS })
  async create(@Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<SloView> {
    return withEtag(response, await this.slos.create(body));
  }

  @Get()
  @ApiOperation({
    summary: 'List SLOs, sorted by name',
    description:
      'Served from memory as of the latest write by any replica (one change counter is read per request). ' +
      'Answers carry a strong ETag (304 to If-None-Match) and are compressed (br, gzip) when Accept-Encoding asks.',
  })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'workload', required: false })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiResponse({
    status: 200,
    headers: { ETag: { description: 'The version of this page; send it back in If-None-Match' } },
    schema: {
      type: 'object',
      properties: {
        items: { type: 'array', items: SLO },
        total: { type: 'integer' },
        nextCursor: { type: 'string', nullable: true },
      },
    },
  })
  @ApiResponse({ status: 304, description: 'The page is unchanged since the ETag in If-None-Match' })
  async list(
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const page = await this.listCache.page({
      namespace: optionalString('namespace', query.namespace),
      workload: optionalString('workload', query.workload),
      team: optionalString('team', query.team),
      cursor: optionalString('cursor', query.cursor),
      limit: intParam('limit', query.limit, 100, 1, 500),
    });
    await sendCachedBody(request, response, page);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get one SLO' })
  @ApiResponse({ status: 200, schema: SLO, headers: ETAG })
  @ApiResponse({ status: 404, schema: ERRORS })
  async get(@Param('name') name: string, @Res({ passthrough: true }) response: Response): Promise<SloView> {
    return withEtag(response, await this.slos.get(name));
  }

  @Put(':name')
  @ApiOperation({ summary: 'Replace an SLO' })
  @ApiBody({ schema: SLO_INPUT })
  @ApiHeader(IF_MATCH)
  @ApiResponse({ status: 200, schema: SLO, headers: ETAG })
  @ApiResponse({ status: 400, schema: ERRORS })
  @ApiResponse({ status: 404, schema: ERRORS })
  @ApiResponse(STALE)
  async replace(
    @Param('name') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SloView> {
    return withEtag(response, await this.slos.replace(name, body, ifMatch));
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Change part of an SLO (JSON merge patch, RFC 7386: null removes a field)' })
  @ApiBody({ schema: { type: 'object' } })
  @ApiHeader(IF_MATCH)
  @ApiResponse({ status: 200, schema: SLO, headers: ETAG })
  @ApiResponse({
    status: 400,
    description: 'Invalid result, or a patch that changes nothing',
    schema: ERRORS,
  })
  @ApiResponse({ status: 404, schema: ERRORS })
  @ApiResponse(STALE)
  async patch(
    @Param('name') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SloView> {
    return withEtag(response, await this.slos.patch(name, body, ifMatch));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an SLO; its firing alert resolves, with a final notification' })
  @ApiHeader(IF_MATCH)
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, schema: ERRORS })
  @ApiResponse(STALE)
  async remove(@Param('name') name: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.slos.remove(name, ifMatch);
  }
}
