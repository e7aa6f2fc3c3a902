import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import { isStorableText } from '../../common/storable-text.js';
import type { Period } from '../domain/calendar-window.js';
import { parseCorrectionInput } from '../domain/correction-input.js';
import { Correction, correctedRanges, correctionRanges } from '../domain/corrections.js';
import { formatDuration } from '../domain/duration.js';
import { windowSeconds } from '../domain/slo.js';
import { SloEntity } from '../slo.entity.js';
import { SloCorrectionEntity } from './correction.entity.js';

export interface CorrectionView {
  id: string;
  kind: 'oneOff' | 'recurring';
  /** One-off: an instant (ISO 8601, UTC). Recurring: the first occurrence's wall time in timeZone. */
  start: string;
  end?: string;
  duration?: string;
  rrule?: string;
  timeZone?: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  /** The next occurrences from now (at most 3), so that a rule can be checked by eye. */
  upcoming: { start: string; end: string }[];
}

export interface CorrectionRangeView {
  start: string;
  end: string;
}

export interface CorrectionList {
  items: CorrectionView[];
  /** Every corrected range within [from, to), overlaps merged: what the SLI and the budget leave out. */
  ranges: CorrectionRangeView[];
  from: string;
  to: string;
}

const FOREIGN_KEY_VIOLATION = '23503';
const MAX_CORRECTIONS_PER_SLO = 200;
const WEEK_MS = 7 * 86_400_000;

@Injectable()
export class CorrectionsService {
  constructor(
    @InjectRepository(SloCorrectionEntity) private readonly corrections: Repository<SloCorrectionEntity>,
    @InjectRepository(SloEntity) private readonly slos: Repository<SloEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(sloName: string, body: unknown): Promise<CorrectionView> {
    const parsed = parseCorrectionInput(body);
    if (Array.isArray(parsed)) throw BurnwatchError.invalid(parsed);
    const slo = await this.findSlo(sloName);
    const count = await this.corrections.countBy({ sloId: slo.id });
    if (count >= MAX_CORRECTIONS_PER_SLO) {
      throw BurnwatchError.invalid([
        {
          field: '(body)',
          message: `SLO "${sloName}" has ${count} corrections, the most it may have; delete old ones or use a recurring rule`,
        },
      ]);
    }
    const { correction, reason, createdBy } = parsed;
    const entity = this.corrections.create({
      sloId: slo.id,
      kind: correction.kind,
      reason,
      createdBy,
      ...(correction.kind === 'oneOff'
        ? { startAt: new Date(correction.startMs), endAt: new Date(correction.endMs) }
        : {
            startWall: new Date(correction.startWallMs).toISOString().slice(0, 19),
            durationSeconds: correction.durationMs / 1000,
            rrule: correction.rrule,
            timeZone: correction.timeZone,
          }),
    });
    try {
      return this.view(await this.corrections.save(entity));
    } catch (error) {
      // The SLO was deleted between the lookup and the insert.
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === FOREIGN_KEY_VIOLATION
      ) {
        throw notFound(sloName);
      }
      throw error;
    }
  }

  async list(sloName: string, from?: Date, to?: Date): Promise<CorrectionList> {
    const slo = await this.findSlo(sloName);
    const rows = await this.corrections.find({
      where: { sloId: slo.id },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const nowMs = this.clock.now().getTime();
    const period: Period = {
      startMs: from?.getTime() ?? nowMs - windowSeconds(slo.spec) * 1000,
      endMs: to?.getTime() ?? nowMs + WEEK_MS,
    };
    if (period.endMs <= period.startMs) {
      throw BurnwatchError.invalid([{ field: 'to', message: 'must be after from' }]);
    }
    const ranges = correctedRanges(rows.map(toCorrection), period);
    return {
      items: rows.map((row) => this.view(row)),
      ranges: ranges.map(toRangeView),
      from: new Date(period.startMs).toISOString(),
      to: new Date(period.endMs).toISOString(),
    };
  }

  async remove(sloName: string, id: string): Promise<void> {
    const slo = await this.findSlo(sloName);
    const problem = BurnwatchError.notFound('id', `SLO "${sloName}" has no correction with id "${id}"`);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw problem;
    const result = await this.corrections.delete({ id, sloId: slo.id });
    if (!result.affected) throw problem;
  }

  /** One SLO's corrections (none for an unknown name), in one query. */
  async ofSlo(sloName: string): Promise<Correction[]> {
    const rows = await this.corrections
      .createQueryBuilder('c')
      .innerJoin(SloEntity, 's', 's.id = c.slo_id')
      .where('s.name = :name', { name: sloName })
      .getMany();
    return rows.map(toCorrection);
  }

  /** Every SLO's corrections, by SLO name, in one query: what the engine leaves out of its sums. */
  async allBySloName(): Promise<Map<string, Correction[]>> {
    const rows = await this.corrections
      .createQueryBuilder('c')
      .innerJoin(SloEntity, 's', 's.id = c.slo_id')
      .addSelect('s.name', 'slo_name')
      .getRawAndEntities();
    const result = new Map<string, Correction[]>();
    rows.entities.forEach((entity, i) => {
      const name = (rows.raw[i] as { slo_name: string }).slo_name;
      const list = result.get(name) ?? [];
      list.push(toCorrection(entity));
      result.set(name, list);
    });
    return result;
  }

  private view(row: SloCorrectionEntity): CorrectionView {
    const nowMs = this.clock.now().getTime();
    const correction = toCorrection(row);
    const upcoming = correctionRanges(correction, { startMs: nowMs, endMs: nowMs + 400 * 86_400_000 })
      .slice(0, 3)
      .map(toRangeView);
    const common = {
      id: row.id,
      kind: row.kind,
      reason: row.reason,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
      upcoming,
    };
    if (correction.kind === 'oneOff') {
      return {
        ...common,
        start: new Date(correction.startMs).toISOString(),
        end: new Date(correction.endMs).toISOString(),
      };
    }
    return {
      ...common,
      start: row.startWall!,
      duration: formatDuration(row.durationSeconds!),
      rrule: correction.rrule,
      timeZone: correction.timeZone,
    };
  }

  private async findSlo(name: string): Promise<SloEntity> {
    if (!isStorableText(name)) throw notFound(name);
    const slo = await this.slos.findOneBy({ name });
    if (!slo) throw notFound(name);
    return slo;
  }
}

export function toCorrection(row: SloCorrectionEntity): Correction {
  if (row.kind === 'oneOff') {
    return { kind: 'oneOff', startMs: row.startAt!.getTime(), endMs: row.endAt!.getTime() };
  }
  return {
    kind: 'recurring',
    startWallMs: Date.parse(`${row.startWall!}Z`),
    durationMs: row.durationSeconds! * 1000,
    rrule: row.rrule!,
    timeZone: row.timeZone!,
  };
}

function toRangeView(range: Period): CorrectionRangeView {
  return { start: new Date(range.startMs).toISOString(), end: new Date(range.endMs).toISOString() };
}

function notFound(name: string): BurnwatchError {
  return BurnwatchError.notFound('name', `no SLO is named "${name}"`);
}
