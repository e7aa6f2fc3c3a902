import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { KubernetesStatus } from '../integrations/kubernetes/kubernetes-status.js';

type Check = 'ok' | string;

/** /readyz answers within this even while the database hangs (a probe's own timeout is typically 1-5 s). */
const READY_TIMEOUT_MS = 2_000;

@ApiTags('Operations')
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    @Optional() @Inject(KubernetesStatus) private readonly kubernetes?: KubernetesStatus,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: the database answers and every migration is applied' })
  async readyz(@Res({ passthrough: true }) response: Response): Promise<Record<string, unknown>> {
    const checks: Record<string, Check> = { database: 'ok', migrations: 'ok' };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
    });
    const check = (async () => {
      await this.dataSource.query('SELECT 1');
      if (await this.dataSource.showMigrations())
        checks.migrations = 'pending migrations; run npm run migration:run';
    })();
    check.catch(() => undefined); // settles late after a timeout: nobody waits for it then
    try {
      await Promise.race([check, timeout]);
    } catch (error) {
      checks.database = `unreachable: ${(error as Error).message}`;
      checks.migrations = 'unknown';
    } finally {
      clearTimeout(timer);
    }
    const ready = Object.values(checks).every((c) => c === 'ok');
    if (!ready) response.status(503);
    return {
      status: ready ? 'ready' : 'not ready',
      checks,
      details: {
        database: this.config.databaseUrl === undefined ? 'embedded (PGlite)' : 'postgres',
        // Optional: without a cluster Burnwatch is ready all the same, and says so here.
        ...(this.kubernetes ? { kubernetes: this.kubernetes.summary() } : {}),
      },
    };
  }
}
