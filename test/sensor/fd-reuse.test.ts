/**
 * A connection's state is cleared when its fd number is accepted again, even when the
 * kernel never saw a close(2) for it (the server released it with close_range(2)).
 * Otherwise an abandoned request would be paired with the next connection's first
 * response: wrong route, and its waiting time counted as latency.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequests, request } from './support/client.js';
import { startSyscallServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let server: TestServer;
const service = 'bw-plain';

beforeAll(async () => {
  sensor = await startSensor();
  server = await startSyscallServer('plain', { BW_CLOSE_RANGE: '1' });
});

afterAll(async () => {
  await server?.stop();
  await sensor?.stop();
});

describe('an fd number reused by a new connection', () => {
  it('starts clean: the abandoned request is not paired with the next response', async () => {
    // A request the server never answers; the client gives up after 300 ms.
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write('GET /abandoned?hang=1 HTTP/1.1\r\nHost: x\r\n\r\n');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 300);
      });
    });
    await new Promise((r) => setTimeout(r, 200)); // the server releases the fd (close_range)
    expect((await freshRequests(server.port, '/next', 3)).map((a) => a.status)).toEqual([200, 200, 200]);
    await request(server.port, '/sync');
    await waitFor(
      'the sync request',
      async () => (await sensor.count({ service_name: service, http_route: '/sync' })) >= 1,
    );

    expect(await sensor.series({ service_name: service, http_route: '/abandoned' })).toEqual([]);
    const [next] = await sensor.series({ service_name: service, http_route: '/next' });
    expect(next!.count).toBe(3);
    expect(next!.buckets.get('0.25')).toBe(3); // not the 500 ms the abandoned request waited
  });
});
