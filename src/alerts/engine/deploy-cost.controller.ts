import { resolutionView } from '../../sli/hourly.js';
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import { FieldError } from '../../common/field-error.js';
import { optionalString } from '../../common/query-params.js';
import { parseOptionalTime } from '../../common/time-param.js';
import { CorrectionsService } from '../../slo/corrections/corrections.service.js';
import { correctedMinuteRanges, correctedRanges, isCorrectedMinute } from '../../slo/domain/corrections.js';
import { allowedBadRatio, budgetPeriodAt } from '../../slo/domain/slo.js';
import { SloService } from '../../slo/slo.service.js';
import { deployCosts } from '../domain/deploy-cost.js';
import { ImageSliQuery } from '../../sli/image-sli.query.js';
import type { DeployCostsView } from './deploy-cost.view.js';
export type { DeployCostsView } from './deploy-cost.view.js';

@ApiTags('SLO status')
@Controller('api/v1')
export class DeployCostController {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SloService) private readonly slos: SloService,
    @Inject(ImageSliQuery) private readonly images: ImageSliQuery,
    @Inject(CorrectionsService) private readonly corrections: CorrectionsService,
  ) {}

  @Get('slos/:name/deploys')
  @ApiOperation({
    summary:
      'What each deploy cost: per image digest, the events it served, its error share and the share of the budget it spent, next to the digest it replaced',
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'ISO 8601 or Unix seconds (default: the budget period start)',
  })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601 or Unix seconds (default: now)' })
  async deploys(
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ): Promise<DeployCostsView> {
    const spec = await this.slos.getSpec(name);
    const now = this.clock.now();
    const errors: FieldError[] = [];
    const to = parseOptionalTime('to', optionalString('to', query.to), now, errors);
    const from = parseOptionalTime(
      'from',
      optionalString('from', query.from),
      new Date(budgetPeriodAt(spec, to.getTime()).startMs),
      errors,
    );
    if (errors.length === 0 && from >= to) errors.push({ field: 'from', message: 'must be before "to"' });
    if (errors.length === 0 && to.getTime() - from.getTime() > 400 * 86_400_000)
      errors.push({ field: 'from', message: 'must be at most 400 days before "to"' });
    if (errors.length > 0) throw BurnwatchError.invalid(errors);

    const fromMinute = Math.floor(from.getTime() / 60_000);
    const toMinute = Math.ceil(to.getTime() / 60_000);
    const corrected = correctedMinuteRanges(
      correctedRanges(await this.corrections.ofSlo(spec.name), {
        startMs: from.getTime(),
        endMs: to.getTime(),
      }),
    );
    const excluded = (minute: number) => isCorrectedMinute(corrected, minute);
    const { usage, hourlyUntilMinute } = await this.images.usageByImage(spec, fromMinute, toMinute, excluded);
    return {
      slo: spec.name,
      from: from.toISOString(),
      to: to.toISOString(),
      items: deployCosts(usage, allowedBadRatio(spec)),
      resolution: resolutionView(hourlyUntilMinute),
      note:
        spec.source.type === 'prometheus'
          ? 'a Prometheus SLO: per-image data comes from the sensor, so there is none here'
          : usage.length === 0
            ? 'no traffic with a container image digest in this range (outside Kubernetes the sensor sees none)'
            : 'the budget is that of the traffic with a known image digest in this range',
    };
  }
}
