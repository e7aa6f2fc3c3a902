/**
 * Keep-alive connections opened before the sensor started (a load balancer's pool, or
 * any connection alive across a sensor restart) are found in /proc at start and measured.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/client.js';
import { startNodeServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const service = 'bw-preexisting'; // a process name: at most 15 characters
let server: TestServer;
let sensor: RunningSensor | undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  server = await startNodeServer(service);
});

afterAll(async () => {
  agent.destroy();
  await server?.stop();
  await sensor?.stop();
});

describe('a connection accepted before the sensor started', () => {
  it('has its later requests counted', async () => {
    expect((await request(server.port, '/before-start', { agent })).status).toBe(200);

    sensor = await startSensor();
    const after = [];
    for (let i = 0; i < 4; i++) after.push(await request(server.port, '/after-start', { agent }));
    expect(after.every((a) => a.reusedSocket)).toBe(true);
    await request(server.port, '/sync');
    await waitFor(
      'the sync request',
      async () => (await sensor!.count({ service_name: service, http_route: '/sync' })) >= 1,
    );

    expect(await sensor.count({ service_name: service, http_route: '/after-start' })).toBe(4);
    expect(await sensor.series({ service_name: service, http_route: '/before-start' })).toEqual([]);
  });
});
