import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BurnwatchError } from '../../common/errors.js';
import { FieldError } from '../../common/field-error.js';
import { nestsDeeperThan } from '../../common/merge-patch.js';
import { CorrectionsService } from '../corrections/corrections.service.js';
import { SloService } from '../slo.service.js';
import { SloView } from '../slo.view.js';
import { parseOpenSlo, toOpenSloYaml } from './openslo.js';

export interface OpenSloImportResult {
  created: string[];
  updated: string[];
  ignored: FieldError[];
  slos: SloView[];
}

@ApiTags('OpenSLO')
@Controller('api/v1')
export class OpenSloController {
  constructor(
    @Inject(SloService) private readonly slos: SloService,
    @Inject(CorrectionsService) private readonly corrections: CorrectionsService,
  ) {}

  @Post('openslo')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create or update SLOs from OpenSLO v1 YAML',
    description:
      'One or more YAML documents: kind SLO with an inline indicator, or kind SLI plus kind SLO with indicatorRef. ' +
      'All documents are checked before anything is stored; anything Burnwatch cannot represent is rejected by name, ' +
      'and parts it has no use for are listed in "ignored". Mapping: docs/openslo.md.',
  })
  @ApiConsumes('application/yaml', 'text/yaml', 'application/json')
  @ApiBody({ schema: { type: 'string', example: 'apiVersion: openslo/v1\nkind: SLO\n…' } })
  @ApiResponse({ status: 200, description: 'Names created and updated, and the SLOs as stored' })
  @ApiResponse({ status: 400, schema: { $ref: '#/components/schemas/Errors' } })
  async import(@Body() body: unknown): Promise<OpenSloImportResult> {
    if (nestsDeeperThan(body, 64)) {
      throw BurnwatchError.invalid([{ field: '(body)', message: 'nests deeper than 64 levels' }]);
    }
    const text =
      typeof body === 'string' ? body : body && typeof body === 'object' ? JSON.stringify(body) : '';
    if (text.trim() === '') {
      throw BurnwatchError.invalid([
        { field: '(body)', message: 'must hold OpenSLO YAML; send it with Content-Type: application/yaml' },
      ]);
    }
    const parsed = parseOpenSlo(text);
    if (!parsed.ok) throw BurnwatchError.invalid(parsed.errors);
    const results = await this.slos.upsertAll(parsed.slos, parsed.documents);
    return {
      created: results.filter((r) => r.created).map((r) => r.view.name),
      updated: results.filter((r) => !r.created).map((r) => r.view.name),
      ignored: parsed.ignored,
      slos: results.map((r) => r.view),
    };
  }

  @Get('slos/:name/openslo')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @ApiOperation({ summary: 'One SLO as an OpenSLO v1 document' })
  @ApiProduces('application/yaml')
  @ApiResponse({ status: 200, description: 'OpenSLO v1 YAML' })
  @ApiResponse({ status: 404, schema: { $ref: '#/components/schemas/Errors' } })
  async export(@Param('name') name: string): Promise<string> {
    const spec = await this.slos.getSpec(name);
    const corrections = (await this.corrections.list(name)).items.map((c) =>
      c.kind === 'oneOff'
        ? { start: c.start, end: c.end, reason: c.reason, createdBy: c.createdBy }
        : {
            start: c.start,
            duration: c.duration,
            rrule: c.rrule,
            timeZone: c.timeZone,
            reason: c.reason,
            createdBy: c.createdBy,
          },
    );
    return toOpenSloYaml(spec, corrections);
  }
}
