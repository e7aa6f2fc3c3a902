import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, Server, Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RunningBurnwatch } from '../../src/app.js';
import { apiClient, startTestApp } from '../support/app.js';

/** A TCP proxy to the test database that the test can cut (refuse and drop) or make hang (accept, never answer). */
class DatabaseProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  mode: 'forward' | 'down' | 'hang' = 'forward';
  port = 0;

  async start(target: URL): Promise<this> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      if (this.mode === 'down') return void client.destroy();
      if (this.mode === 'hang') return; // accepted, never answered
      const upstream = connect(Number(target.port || 5432), target.hostname);
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      client.on('data', (d) => this.mode === 'forward' && upstream.write(d));
      upstream.on('data', (d) => this.mode === 'forward' && client.write(d));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  cut(): void {
    this.mode = 'down';
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let proxy: DatabaseProxy;
let burnwatch: RunningBurnwatch;

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  proxy = await new DatabaseProxy().start(url);
  const viaProxy = new URL(url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  burnwatch = await startTestApp({ databaseUrl: viaProxy.toString() });
});
afterAll(async () => {
  await proxy.stop();
  await burnwatch.close().catch(() => undefined);
});

describe('while the database is down or hangs', () => {
  it('answers reads 503 with the reason, and /readyz 503 within its timeout', async () => {
    const api = apiClient(burnwatch.url);
    expect((await api('GET', '/api/v1/slos')).status).toBe(200);

    proxy.cut();
    const down = await api('GET', '/api/v1/slos');
    expect(down.status).toBe(503);
    expect(down.body.errors[0]).toMatchObject({ field: '(database)' });
    expect(down.body.errors[0].message).toMatch(/database/);

    proxy.mode = 'hang';
    const started = Date.now();
    const ready = await api('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await api('GET', '/healthz')).status).toBe(200);

    // A hanging database fails a read in bounded time (the pool's connect timeout), not never.
    const hanging = Date.now();
    expect((await api('GET', '/api/v1/slos')).status).toBe(503);
    expect(Date.now() - hanging).toBeLessThan(8_000);

    proxy.mode = 'forward';
    await expect
      .poll(async () => (await api('GET', '/api/v1/slos')).status, { timeout: 15_000, interval: 250 })
      .toBe(200);
  }, 60_000);
});
