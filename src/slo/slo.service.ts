import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { BurnwatchError } from '../common/errors.js';
import { applyMergePatch, isPlainObject, nestsDeeperThan } from '../common/merge-patch.js';
import { isStorableText } from '../common/storable-text.js';
import { SloSpec } from './domain/slo.js';
import { validateSloSpec } from './domain/slo-schema.js';
import { SloEntity } from './slo.entity.js';
import { READ_ONLY_FIELDS, SloView, toSloView } from './slo.view.js';

export interface SloListQuery {
  namespace?: string;
  workload?: string;
  team?: string;
  limit: number;
  /** The name of the last SLO of the previous page. */
  cursor?: string;
}

export interface SloPage {
  items: SloView[];
  total: number;
  nextCursor: string | null;
}

const UNIQUE_VIOLATION = '23505';
const MAX_PATCH_DEPTH = 32;

@Injectable()
export class SloService {
  constructor(
    @InjectRepository(SloEntity) private readonly slos: Repository<SloEntity>,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async create(body: unknown): Promise<SloView> {
    const spec = this.validate(body);
    const entity = this.slos.create({ ...columnsOf(spec), spec });
    try {
      return toSloView(await this.slos.save(entity));
    } catch (error) {
      throw duplicateNameOr(error, spec.name);
    }
  }

  async list(query: SloListQuery): Promise<SloPage> {
    const builder = this.slos.createQueryBuilder('slo').orderBy('slo.name', 'ASC');
    if (query.namespace !== undefined)
      builder.andWhere('slo.namespace = :namespace', { namespace: query.namespace });
    if (query.workload !== undefined)
      builder.andWhere('slo.workload = :workload', { workload: query.workload });
    if (query.team !== undefined) builder.andWhere('slo.team = :team', { team: query.team });
    const total = await builder.getCount();
    if (query.cursor !== undefined) builder.andWhere('slo.name > :cursor', { cursor: query.cursor });
    const rows = await builder.take(query.limit + 1).getMany();
    const items = rows.slice(0, query.limit).map(toSloView);
    const nextCursor = rows.length > query.limit ? items[items.length - 1]!.name : null;
    return { items, total, nextCursor };
  }

  async get(name: string): Promise<SloView> {
    return toSloView(await this.find(name));
  }

  async getSpec(name: string): Promise<SloSpec> {
    return (await this.find(name)).spec;
  }

  /** PUT: the body is the whole SLO; its name, when given, must be the one in the path. */
  async replace(name: string, body: unknown): Promise<SloView> {
    const withName = isPlainObject(body) && body.name === undefined ? { ...body, name } : body;
    const spec = this.validate(withName);
    if (spec.name !== name) {
      throw BurnwatchError.invalid([
        { field: 'name', message: `must be "${name}" as in the path; an SLO cannot be renamed` },
      ]);
    }
    const entity = await this.find(name);
    Object.assign(entity, columnsOf(spec), { spec });
    return toSloView(await this.slos.save(entity));
  }

  /** PATCH: a JSON merge patch (RFC 7386) on the SLO as written. */
  async patch(name: string, patch: unknown): Promise<SloView> {
    if (!isPlainObject(patch)) {
      throw BurnwatchError.invalid([
        { field: '(body)', message: 'must be a JSON object (a JSON merge patch)' },
      ]);
    }
    // An SLO nests a few levels; deeper patches are refused before the recursive merge sees them.
    if (nestsDeeperThan(patch, MAX_PATCH_DEPTH)) {
      throw BurnwatchError.invalid([
        { field: '(body)', message: `nests deeper than ${MAX_PATCH_DEPTH} levels, which no SLO field does` },
      ]);
    }
    const entity = await this.find(name);
    return this.replace(name, applyMergePatch(entity.spec, patch));
  }

  async remove(name: string): Promise<void> {
    if (!isStorableText(name)) throw notFound(name);
    const result = await this.slos.delete({ name });
    if (!result.affected) throw notFound(name);
  }

  /** Creates or replaces several SLOs in one transaction, for imports: all of them land or none. */
  async upsertAll(specs: SloSpec[]): Promise<{ view: SloView; created: boolean }[]> {
    specs.forEach((spec) => this.assertSupported(spec));
    return this.slos.manager.transaction(async (manager) => {
      const repository = manager.getRepository(SloEntity);
      const results: { view: SloView; created: boolean }[] = [];
      for (const spec of specs) {
        const existing = await repository.findOneBy({ name: spec.name });
        const entity = existing ?? repository.create();
        Object.assign(entity, columnsOf(spec), { spec });
        results.push({ view: toSloView(await repository.save(entity)), created: !existing });
      }
      return results;
    });
  }

  validate(body: unknown): SloSpec {
    const result = validateSloSpec(withoutReadOnlyFields(body));
    if (!result.ok) throw BurnwatchError.invalid(result.errors);
    this.assertSupported(result.spec);
    return result.spec;
  }

  /** What this deployment can evaluate (beyond what the schema checks). */
  private assertSupported(spec: SloSpec): void {
    if (spec.source.type === 'prometheus' && this.config.engine.prometheusUrl === undefined) {
      throw BurnwatchError.invalid([
        {
          field: 'source.type',
          message: '"prometheus" needs BURNWATCH_PROMETHEUS_URL to be set on the Burnwatch service',
        },
      ]);
    }
  }

  private async find(name: string): Promise<SloEntity> {
    // No stored name holds such text, and PostgreSQL would refuse the query.
    if (!isStorableText(name)) throw notFound(name);
    const entity = await this.slos.findOneBy({ name });
    if (!entity) throw notFound(name);
    return entity;
  }
}

function columnsOf(spec: SloSpec): Pick<SloEntity, 'name' | 'team' | 'namespace' | 'workload'> {
  return {
    name: spec.name,
    team: spec.team ?? null,
    namespace: spec.service.namespace ?? null,
    workload: spec.service.workload,
  };
}

function withoutReadOnlyFields(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const copy = { ...body };
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  return copy;
}

function notFound(name: string): BurnwatchError {
  return BurnwatchError.notFound('name', `no SLO is named "${name}"`);
}

function duplicateNameOr(error: unknown, name: string): unknown {
  if (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string })?.code === UNIQUE_VIOLATION
  ) {
    return BurnwatchError.conflict(
      'name',
      `an SLO named "${name}" already exists; use PUT /api/v1/slos/${name} to change it`,
    );
  }
  return error;
}
