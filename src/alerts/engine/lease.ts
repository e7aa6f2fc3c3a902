import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * A lease in Postgres, renewed at every run: only its holder applies alert transitions, so with two replicas
 * exactly one evaluates alerts; if the holder dies the lease expires and another takes over. (A lease rather than
 * a session advisory lock: the embedded database has one connection, which a held lock would pin.)
 *
 * Expiry is judged by the database's clock alone: replicas whose clocks disagree see the same expiry, so a
 * replica with a fast clock cannot take the lease early, nor one with a slow clock hold it late.
 */
@Injectable()
export class Lease implements BeforeApplicationShutdown {
  readonly holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private readonly held = new Set<string>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes or renews the lease for `ttlSeconds` from the database's now; true when this replica holds it. (`_at`,
   * the replica's time of the run, does not decide anything.)
   */
  async acquire(name: string, _at: Date, ttlSeconds: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO engine_leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE engine_leases.holder = EXCLUDED.holder OR engine_leases.expires_at < now()
       RETURNING holder`,
      [name, this.holder, ttlSeconds],
    );
    if (rows.length === 1) this.held.add(name);
    else this.held.delete(name);
    return rows.length === 1;
  }

  /** A replica stopping gives its leases up, so that another takes over at its next run, not after the expiry. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.held.size === 0) return;
    await this.dataSource
      .query(`DELETE FROM engine_leases WHERE holder = $1 AND name = ANY($2)`, [this.holder, [...this.held]])
      .catch(() => undefined);
  }
}
