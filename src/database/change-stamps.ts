import type { DataSource } from 'typeorm';
import { CoalescedRead } from '../common/coalesced-read.js';

/**
 * The change records (migrations/1766600000000-CreateChangeRecords.ts): a row per statement that wrote the tables
 * each one watches, appended in the writing transaction by a trigger.
 */
export type ChangeRecord =
  /** slos */
  | 'slo_changes'
  /** alerts, silences, alert_annotations */
  | 'alert_changes';

/** Rows beyond which a reader folds a record into one row. */
const MAX_RECORD_ROWS = 100;

/**
 * A stamp of some tables that moves with every commit that wrote them, by any replica or by hand in SQL, and
 * never comes back: what a cached list compares to know it is current. Each record gives `sum(weight):max(id)`.
 * One query per read, shared by concurrent callers as long as it started after they asked (CoalescedRead): a
 * write committed before a request arrived is always seen by it.
 */
export class ChangeStamps {
  private readonly read = new CoalescedRead(() => this.readNow());
  private readonly folding = new Set<ChangeRecord>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly records: readonly ChangeRecord[],
  ) {}

  current(): Promise<string> {
    return this.read.get();
  }

  private async readNow(): Promise<string> {
    const columns = this.records.map(
      (record, i) =>
        `(SELECT coalesce(sum("weight"), 0) || ':' || coalesce(max("id"), 0) || ':' || count(*) FROM "${record}") AS "s${i}"`,
    );
    const [row] = (await this.dataSource.query(`SELECT ${columns.join(', ')}`)) as Record<string, string>[];
    return this.records
      .map((record, i) => {
        const [sum, max, rows] = row![`s${i}`]!.split(':');
        if (Number(rows) > MAX_RECORD_ROWS) this.fold(record);
        return `${sum}:${max}`;
      })
      .join('|');
  }

  /**
   * Folds a record's rows into one of the same weight, in a statement of its own (never inside a write: it locks
   * the rows it deletes). Concurrent folds on several replicas each fold what they deleted; the sum stays. The
   * new row's id moves the stamp once: one reload per fold. A failed fold is tried again at the next read.
   */
  private fold(record: ChangeRecord): void {
    if (this.folding.has(record)) return;
    this.folding.add(record);
    this.dataSource
      .query(
        `WITH "gone" AS (DELETE FROM "${record}" RETURNING "weight")
         INSERT INTO "${record}" ("weight") SELECT sum("weight") FROM "gone" HAVING count(*) > 0`,
      )
      .catch(() => undefined)
      .finally(() => this.folding.delete(record));
  }
}
