/**
 * A live keep-alive connection evicted from the full connection map (LRU) is measured
 * again from its next request, and the recovery is counted (issue 11 item 3).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/client.js';
import { startNodeServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

const NODE = 'bw-node-evict';
const CAPACITY = 64; // the smallest BURNWATCH_SENSOR_MAX_CONNECTIONS allowed
let sensor: RunningSensor;
let node: TestServer;

beforeAll(async () => {
  sensor = await startSensor({ BURNWATCH_SENSOR_MAX_CONNECTIONS: String(CAPACITY) });
  node = await startNodeServer(NODE);
});

afterAll(async () => {
  await node?.stop();
  await sensor?.stop();
});

async function kernelEvent(event: string): Promise<number> {
  const s = (await sensor.scrape()).find(
    (x) => x.name === 'burnwatch_sensor_kernel_events_total' && x.labels.event === event,
  );
  return s?.value ?? 0;
}

describe('a connection evicted from the full map', () => {
  it('is followed again from its next request, and counted as recovered', async () => {
    const keep = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const crowd = new http.Agent({ keepAlive: true, maxSockets: 3 * CAPACITY });
    try {
      expect((await request(node.port, '/kept?status=201', { agent: keep })).status).toBe(201);
      const recoveredBefore = await kernelEvent('conns_recovered');
      // Three times the map's capacity of connections, all open at once: the kept one,
      // the least recently used, is evicted.
      const answers = await Promise.all(
        Array.from({ length: 3 * CAPACITY }, () => request(node.port, '/crowd', { agent: crowd })),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      const again = await request(node.port, '/kept?status=201', { agent: keep });
      expect(again.reusedSocket).toBe(true);
      await request(node.port, '/sync');
      await waitFor(
        'sync',
        async () => (await sensor.count({ service_name: NODE, http_route: '/sync' })) >= 1,
      );
      expect(await sensor.count({ service_name: NODE, http_route: '/kept' })).toBe(2);
      await waitFor('conns_recovered', async () => (await kernelEvent('conns_recovered')) > recoveredBefore);
    } finally {
      keep.destroy();
      crowd.destroy();
    }
  });
});
