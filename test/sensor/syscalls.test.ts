/**
 * Every read and write hook, each driven by a real process that uses only that pair of
 * syscalls: recvmsg/sendmsg, readv/writev, read/write (with two iovecs where vectored).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequests, pipelined, request } from './support/client.js';
import { startSyscallServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
const servers = new Map<string, TestServer>();

beforeAll(async () => {
  sensor = await startSensor();
  for (const mode of ['msg', 'vec', 'plain'] as const) servers.set(mode, await startSyscallServer(mode));
});

afterAll(async () => {
  for (const s of servers.values()) await s.stop();
  await sensor?.stop();
});

describe.each([
  { mode: 'msg', syscalls: 'recvmsg and sendmsg' },
  { mode: 'vec', syscalls: 'readv and writev' },
  { mode: 'plain', syscalls: 'read and write' },
])('a server using $syscalls', ({ mode }) => {
  it('has fresh, keep-alive and pipelined requests counted exactly', async () => {
    const server = servers.get(mode)!;
    const service = `bw-${mode}`;
    await freshRequests(server.port, '/sys/a?status=200', 3);
    await freshRequests(server.port, '/sys/a?status=404', 2);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 4; i++) await request(server.port, `/sys/k/${i}`, { agent });
    agent.destroy();
    expect(await pipelined(server.port, ['/sys/p', '/sys/p', '/sys/p'])).toEqual([200, 200, 200]);
    await request(server.port, '/sync');
    await waitFor(
      `sync of ${service}`,
      async () => (await sensor.count({ service_name: service, http_route: '/sync' })) >= 1,
    );

    const counts = Object.fromEntries(
      (await sensor.series({ service_name: service }))
        .filter((s) => s.labels.http_route !== '/sync')
        .map((s) => [`${s.labels.http_route} ${s.labels.http_response_status_code}`, s.count]),
    );
    expect(counts).toEqual({ '/sys/a 200': 3, '/sys/a 404': 2, '/sys/k/{id} 200': 4, '/sys/p 200': 3 });
  });
});
