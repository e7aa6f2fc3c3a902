import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { CLOCK, Clock } from '../common/clock.js';
import { BurnwatchError } from '../common/errors.js';
import { ifMatchAllows } from '../common/etag.js';
import { applyMergePatch, isPlainObject, nestsDeeperThan } from '../common/merge-patch.js';
import { isStorableText } from '../common/storable-text.js';
import { SloSpec } from './domain/slo.js';
import { sloInputSchema, validateSloSpec } from './domain/slo-schema.js';
import { SloEntity } from './slo.entity.js';
import { SloLifecycleHooks } from './slo-lifecycle-hooks.js';
import type { SloListQuery } from './slo-list.cache.js';
import { READ_ONLY_FIELDS, SloView, toSloView } from './slo.view.js';

export type { SloListQuery } from './slo-list.cache.js';

/** An SLO as the API returns it, with the strong entity tag of this version (the ETag header). */
export interface VersionedSlo {
  view: SloView;
  etag: string;
}

export interface SloPage {
  items: SloView[];
  total: number;
  nextCursor: string | null;
}

const UNIQUE_VIOLATION = '23505';
const KNOWN_FIELDS = new Set(Object.keys(sloInputSchema.shape));
const MAX_PATCH_DEPTH = 32;

@Injectable()
export class SloService {
  constructor(
    @InjectRepository(SloEntity) private readonly slos: Repository<SloEntity>,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SloLifecycleHooks) private readonly hooks: SloLifecycleHooks,
  ) {}

  async create(body: unknown): Promise<VersionedSlo> {
    const spec = this.validate(body);
    const entity = this.slos.create({ ...columnsOf(spec), spec });
    try {
      return versioned(await this.slos.save(entity));
    } catch (error) {
      throw duplicateNameOr(error, spec.name);
    }
  }

  /** The list from the database, as objects (for callers inside the service; the API serves SloListCache). */
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

  /** Every SLO's spec (optionally of a team or namespace), by name, in one query: for lists that show them all. */
  async allSpecs(filter: { team?: string; namespace?: string } = {}): Promise<SloSpec[]> {
    const builder = this.slos
      .createQueryBuilder('slo')
      .select(['slo.name', 'slo.spec'])
      .orderBy('slo.name', 'ASC');
    if (filter.namespace !== undefined)
      builder.andWhere('slo.namespace = :namespace', { namespace: filter.namespace });
    if (filter.team !== undefined) builder.andWhere('slo.team = :team', { team: filter.team });
    return (await builder.getMany()).map((row) => row.spec);
  }

  async get(name: string): Promise<VersionedSlo> {
    return versioned(await this.find(name));
  }

  async getSpec(name: string): Promise<SloSpec> {
    return (await this.find(name)).spec;
  }

  /** PUT: the body is the whole SLO; its name, when given, must be the one in the path. */
  async replace(name: string, body: unknown, ifMatch?: string): Promise<VersionedSlo> {
    const spec = this.specFor(name, body);
    return this.writeLocked(name, ifMatch, () => spec);
  }

  /**
   * PATCH: a JSON merge patch (RFC 7386) on the SLO as written, applied to the stored SLO under its row lock, so
   * that concurrent patches to different fields all land.
   */
  async patch(name: string, patch: unknown, ifMatch?: string): Promise<VersionedSlo> {
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
    const unknown = Object.keys(patch).filter(
      (key) => !KNOWN_FIELDS.has(key) && !(READ_ONLY_FIELDS as readonly string[]).includes(key),
    );
    if (unknown.length > 0) {
      // A null for an unknown field would be a silent no-op: say it instead.
      throw BurnwatchError.invalid(
        unknown.map((field) => ({ field: field === '' ? '""' : field, message: 'is not a known field' })),
      );
    }
    if (!Object.keys(patch).some((key) => KNOWN_FIELDS.has(key))) {
      // An empty patch (or one of read-only fields only) changes nothing; a 200 would suggest it did.
      throw BurnwatchError.invalid([
        {
          field: '(body)',
          message:
            'changes nothing: a merge patch names at least one SLO field (read-only fields are ignored)',
        },
      ]);
    }
    return this.writeLocked(name, ifMatch, (current) =>
      this.specFor(name, applyMergePatch(current.spec, patch)),
    );
  }

  /** DELETE: the SLO and, in the same transaction, what depends on it (its open alerts close). */
  async remove(name: string, ifMatch?: string): Promise<void> {
    if (!isStorableText(name)) throw notFound(name);
    await this.slos.manager.transaction(async (manager) => {
      const current = await lockedByName(manager, name);
      assertPrecondition(ifMatch, current);
      await manager.delete(SloEntity, { id: current.id });
      await this.hooks.sloDeleted(manager, current.spec, this.clock.now());
    });
  }

  /**
   * Creates or replaces several SLOs in one transaction, for imports: all of them land or none. Concurrent
   * imports of one new name serialise on the name: one creates it, the others update it.
   */
  async upsertAll(
    specs: SloSpec[],
    /** Where each spec came from (an import's "documents[i]"), to name it in errors. */
    origins: string[] = [],
  ): Promise<{ view: SloView; created: boolean }[]> {
    specs.forEach((spec, i) => {
      try {
        this.assertSupported(spec);
      } catch (error) {
        const origin = origins[i];
        if (!(error instanceof BurnwatchError) || origin === undefined) throw error;
        throw new BurnwatchError(
          error.code,
          error.errors.map((e) => ({ field: origin, message: `${e.message} (Burnwatch's ${e.field})` })),
        );
      }
    });
    // Rows are locked in name order, so two imports naming the same SLOs cannot deadlock.
    const order = specs.map((_, i) => i).sort((a, b) => (specs[a]!.name < specs[b]!.name ? -1 : 1));
    return this.slos.manager.transaction(async (manager) => {
      const results: { view: SloView; created: boolean }[] = [];
      for (const i of order) results[i] = await upsert(manager, specs[i]!);
      return results;
    });
  }

  validate(body: unknown): SloSpec {
    const result = validateSloSpec(withoutReadOnlyFields(body));
    if (!result.ok) throw BurnwatchError.invalid(result.errors);
    this.assertSupported(result.spec);
    return result.spec;
  }

  /** The spec a PUT body (or a patched SLO) describes; its name, when given, must be the one in the path. */
  private specFor(name: string, body: unknown): SloSpec {
    const withName = isPlainObject(body) && body.name === undefined ? { ...body, name } : body;
    const spec = this.validate(withName);
    if (spec.name !== name) {
      throw BurnwatchError.invalid([
        { field: 'name', message: `must be "${name}" as in the path; an SLO cannot be renamed` },
      ]);
    }
    return spec;
  }

  /**
   * Replaces an existing SLO under its row lock (SELECT … FOR UPDATE): a write never inserts, so an SLO deleted
   * meanwhile stays deleted (404), and If-Match is compared with the version actually replaced.
   */
  private async writeLocked(
    name: string,
    ifMatch: string | undefined,
    next: (current: SloEntity) => SloSpec,
  ): Promise<VersionedSlo> {
    if (!isStorableText(name)) throw notFound(name);
    return this.slos.manager.transaction(async (manager) => {
      const current = await lockedByName(manager, name);
      assertPrecondition(ifMatch, current);
      const spec = next(current);
      await manager.update(
        SloEntity,
        { id: current.id },
        { ...columnsOf(spec), spec, version: current.version + 1 },
      );
      return versioned(await manager.findOneByOrFail(SloEntity, { id: current.id }));
    });
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

/** The strong entity tag of one version of one SLO: a recreated SLO of the same name never matches an old tag. */
export function etagOf(entity: Pick<SloEntity, 'id' | 'version'>): string {
  return `"${entity.version}-${entity.id}"`;
}

function versioned(entity: SloEntity): VersionedSlo {
  return { view: toSloView(entity), etag: etagOf(entity) };
}

async function lockedByName(manager: EntityManager, name: string): Promise<SloEntity> {
  const entity = await manager.findOne(SloEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
  if (!entity) throw notFound(name);
  return entity;
}

function assertPrecondition(ifMatch: string | undefined, current: SloEntity): void {
  const etag = etagOf(current);
  if (ifMatchAllows(ifMatch, etag)) return;
  throw BurnwatchError.preconditionFailed(
    'If-Match',
    `the SLO changed since ${ifMatch}; it is now ${etag}: GET it and apply your change again`,
  );
}

/** Inserts the SLO, or, when its name exists (or another transaction inserts it first), replaces it. */
async function upsert(manager: EntityManager, spec: SloSpec): Promise<{ view: SloView; created: boolean }> {
  // A racing delete can remove the row between the two statements; then the insert is tried again.
  for (let attempt = 0; ; attempt++) {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(SloEntity)
      .values({ ...columnsOf(spec), spec })
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (inserted.raw as { id: string }[])[0]?.id;
    if (id !== undefined)
      return { view: toSloView(await manager.findOneByOrFail(SloEntity, { id })), created: true };
    const existing = await manager.findOne(SloEntity, {
      where: { name: spec.name },
      lock: { mode: 'pessimistic_write' },
    });
    if (existing) {
      await manager.update(
        SloEntity,
        { id: existing.id },
        { ...columnsOf(spec), spec, version: existing.version + 1 },
      );
      const view = toSloView(await manager.findOneByOrFail(SloEntity, { id: existing.id }));
      return { view, created: false };
    }
    if (attempt >= 3) throw new Error(`SLO "${spec.name}" kept appearing and disappearing during an import`);
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
