/**
 * What the environment configures, seen from /metrics of the real sensor: excluded
 * ports (in the kernel) and processes (in the agent), custom buckets, the route cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequests, request } from './support/client.js';
import { startNodeServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let kept: TestServer;
let portExcluded: TestServer;
let processExcluded: TestServer;

beforeAll(async () => {
  kept = await startNodeServer('bw-kept');
  portExcluded = await startNodeServer('bw-port-excl');
  processExcluded = await startNodeServer('bw-proc-excl');
  sensor = await startSensor({
    BURNWATCH_SENSOR_EXCLUDE_PORTS: String(portExcluded.port),
    BURNWATCH_SENSOR_EXCLUDE_PROCESSES: 'bw-proc-excl',
    BURNWATCH_SENSOR_BUCKETS: '0.05,0.5',
    BURNWATCH_SENSOR_MAX_ROUTES_PER_SERVICE: '3',
  });
});

afterAll(async () => {
  for (const s of [kept, portExcluded, processExcluded]) await s?.stop();
  await sensor?.stop();
});

describe('configuration from the environment', () => {
  it('leaves excluded ports and processes out, keeps the rest, with the configured buckets and route cap', async () => {
    await freshRequests(portExcluded.port, '/x', 3);
    await freshRequests(processExcluded.port, '/x', 3);
    // Three routes fit under the cap; the fourth and fifth become __overflow__.
    for (const route of ['/sync', '/a', '/b', '/c', '/d']) await request(kept.port, route);
    await waitFor('the overflow', async () => (await sensor.count({ service_name: 'bw-kept' })) >= 5);

    expect(await sensor.series({ service_name: 'bw-port-excl' })).toEqual([]);
    expect(await sensor.series({ service_name: 'bw-proc-excl' })).toEqual([]);
    const routes = Object.fromEntries(
      (await sensor.series({ service_name: 'bw-kept' })).map((s) => [s.labels.http_route, s.count]),
    );
    expect(routes).toEqual({ '/sync': 1, '/a': 1, '/b': 1, __overflow__: 2 });
    const [series] = await sensor.series({ service_name: 'bw-kept', http_route: '/a' });
    expect([...series!.buckets.keys()]).toEqual(['0.05', '0.5', '+Inf']);

    const samples = await sensor.scrape();
    const ignored = samples.find(
      (s) =>
        s.name === 'burnwatch_sensor_transactions_ignored_total' && s.labels.reason === 'excluded_process',
    );
    expect(ignored?.value).toBe(3);
    expect(samples.find((s) => s.name === 'burnwatch_sensor_routes_overflowed_total')?.value).toBe(2);
  });
});
