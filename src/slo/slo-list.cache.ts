import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CachedBody } from '../common/cached-body.js';
import { ChangeStamps } from '../database/change-stamps.js';
import type { SloEntity } from './slo.entity.js';
import { SloView, toSloView } from './slo.view.js';

export interface SloListQuery {
  namespace?: string;
  workload?: string;
  team?: string;
  limit: number;
  /** The name of the last SLO of the previous page. */
  cursor?: string;
}

interface CachedSlo {
  name: string;
  team: string | null;
  namespace: string | null;
  workload: string;
  view: SloView;
  /** The view as JSON, made once per version of the row. */
  json: Buffer;
}

interface Snapshot {
  /** The SLOs' change stamp (ChangeStamps) read before these rows: they are at least that new. */
  stamp: string;
  /** Every SLO, in the database's order of names (its collation, as `ORDER BY name` gives). */
  slos: CachedSlo[];
  pages: Map<string, CachedBody>;
  pageBytes: number;
}

/** The page bodies of one snapshot kept at most (beyond it they are cleared and built again). */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;
/** Made once per view: views are frozen and shared per row version (slo.view.ts), so a WeakMap is exact. */
const JSON_OF_VIEW = new WeakMap<SloView, Buffer>();

const ITEMS_OPEN = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

/**
 * `GET /api/v1/slos` from memory: every SLO's view as pre-serialised JSON, a page joined from those fragments
 * into one body with its ETag, kept per query until an SLO changes.
 *
 * Correct across replicas: every request first reads the SLOs' change stamp (ChangeStamps: `slo_changes` gets a
 * row in the writing transaction from a trigger on `slos`, so a write by any replica, an import or a hand edit
 * in SQL all count), one read of a small table that concurrent requests share as long as it started after they
 * arrived (CoalescedRead). A write committed before a request arrives is therefore always in its answer. When
 * the stamp moved, the rows are read again (one query; views of unchanged row versions are reused).
 */
@Injectable()
export class SloListCache {
  private snapshot: Snapshot | undefined;
  private loading: { stamp: string; snapshot: Promise<Snapshot> } | undefined;
  private readonly stamps: ChangeStamps;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.stamps = new ChangeStamps(dataSource, ['slo_changes']);
  }

  /** One page of the list as the API sends it: `{items, total, nextCursor}`. */
  async page(query: SloListQuery): Promise<CachedBody> {
    const snapshot = await this.current();
    const key = JSON.stringify([query.namespace, query.workload, query.team, query.limit, query.cursor]);
    const cached = snapshot.pages.get(key);
    if (cached) return cached;
    const matching = snapshot.slos.filter(
      (slo) =>
        (query.namespace === undefined || slo.namespace === query.namespace) &&
        (query.workload === undefined || slo.workload === query.workload) &&
        (query.team === undefined || slo.team === query.team),
    );
    const start = query.cursor === undefined ? 0 : await this.positionAfter(matching, query.cursor);
    const items = matching.slice(start, start + query.limit);
    const nextCursor = start + query.limit < matching.length ? items[items.length - 1]!.name : null;
    const parts: Buffer[] = [ITEMS_OPEN];
    items.forEach((slo, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(slo.json);
    });
    parts.push(Buffer.from(`],"total":${matching.length},"nextCursor":${JSON.stringify(nextCursor)}}`));
    const body = new CachedBody(Buffer.concat(parts));
    if (snapshot.pageBytes + body.body.length > MAX_PAGE_BYTES) {
      snapshot.pages.clear();
      snapshot.pageBytes = 0;
    }
    snapshot.pages.set(key, body);
    snapshot.pageBytes += body.body.length;
    return body;
  }

  /** Every SLO's view, by name, as of a stamp read after this call began. */
  async views(): Promise<SloView[]> {
    return (await this.current()).slos.map((slo) => slo.view);
  }

  private async current(): Promise<Snapshot> {
    const stamp = await this.stamps.current();
    if (this.snapshot?.stamp === stamp) return this.snapshot;
    // One load per stamp: the clients that all see a new stamp at once wait for the same one.
    if (this.loading?.stamp !== stamp) {
      const snapshot = this.load(stamp).then((loaded) => {
        // A slower load of an older stamp never replaces a newer snapshot.
        if (this.loading?.snapshot === snapshot) {
          this.snapshot = loaded;
          this.loading = undefined;
        }
        return loaded;
      });
      snapshot.catch(() => {
        if (this.loading?.snapshot === snapshot) this.loading = undefined;
      });
      this.loading = { stamp, snapshot };
    }
    return this.loading.snapshot;
  }

  /**
   * Labelled with a stamp read before the rows: if a write lands in between, the rows are newer than the label,
   * and the next request sees a newer stamp and loads again. Never the other way round.
   */
  private async load(stamp: string): Promise<Snapshot> {
    const rows = (await this.dataSource.query(
      `SELECT "id", "name", "team", "namespace", "workload", "spec", "version",
              "created_at" AS "createdAt", "updated_at" AS "updatedAt"
         FROM "slos" ORDER BY "name"`,
    )) as (SloEntity & { version: number })[];
    const slos = rows.map((row): CachedSlo => {
      const view = toSloView(row);
      let json = JSON_OF_VIEW.get(view);
      if (!json) {
        json = Buffer.from(JSON.stringify(view));
        JSON_OF_VIEW.set(view, json);
      }
      return { name: row.name, team: row.team, namespace: row.namespace, workload: row.workload, view, json };
    });
    return { stamp, slos, pages: new Map(), pageBytes: 0 };
  }

  /**
   * Where a page after `cursor` starts: after that name when it is in the list (the usual case); otherwise (the
   * SLO was deleted since) after every name the database sorts at or before it, asked of the database itself so
   * that its collation decides, as it did for the name order.
   */
  private async positionAfter(slos: CachedSlo[], cursor: string): Promise<number> {
    const index = slos.findIndex((slo) => slo.name === cursor);
    if (index >= 0) return index + 1;
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS "before" FROM unnest($1::varchar[]) AS "name" WHERE "name" <= $2::varchar`,
      [slos.map((slo) => slo.name), cursor],
    )) as { before: number }[];
    return row!.before;
  }
}
