import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * A lease in Postgres, renewed at every run: only its holder applies alert transitions, so with two replicas
 * exactly one evaluates alerts; if the holder dies the lease expires and another takes over. (A lease rather than
 * a session advisory lock: the embedded database has one connection, which a held lock would pin.)
 */
@Injectable()
export class Lease {
  readonly holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Takes or renews the lease until `now + ttlSeconds`; true when this replica holds it. */
  async acquire(name: string, now: Date, ttlSeconds: number): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO engine_leases (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE engine_leases.holder = EXCLUDED.holder OR engine_leases.expires_at < $4
       RETURNING holder`,
      [name, this.holder, expiresAt, now],
    );
    return rows.length === 1;
  }
}
