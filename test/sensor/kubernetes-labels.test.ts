/**
 * pid → cgroup → container ID → pod → labels, end to end with the real kernel:
 * a real server process is moved into a cgroup laid out like a containerd pod's
 * (cgroup v2), and the sensor is handed the node's pods as the API watch would.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sensor } from '../../sensor/agent.js';
import { loadSensorConfig } from '../../sensor/config.js';
import { HTTP_SERVER_DURATION } from '../../sensor/metrics.js';
import { PodIndex, type PodLike } from '../../sensor/workloads.js';
import { freshRequests, request } from './support/client.js';
import { histogramSeries, parsePromText } from './support/prom-text.js';
import { waitFor } from './support/sensor.js';
import { startNodeServer, type TestServer } from './support/servers.js';

const CONTAINER_ID = '5a1e'.repeat(16);
const POD_UID = '0c0ffee0-1234-4abc-8def-0123456789ab';
const DIGEST = `sha256:${'e'.repeat(64)}`;

function cgroup2Root(): string {
  const line = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[2] === 'cgroup2');
  if (!line) throw new Error('no cgroup2 mount: the sensor tests need cgroup v2 (hybrid or unified)');
  return line.split(' ')[1]!;
}

const pod: PodLike = {
  metadata: {
    name: 'checkout-6f7d8c9b5-abcde',
    namespace: 'shop',
    uid: POD_UID,
    labels: { 'pod-template-hash': '6f7d8c9b5' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'checkout-6f7d8c9b5', controller: true }],
  },
  status: {
    containerStatuses: [
      {
        name: 'app',
        containerID: `containerd://${CONTAINER_ID}`,
        image: 'registry.test/shop/checkout:2.3.1',
        imageID: `registry.test/shop/checkout@${DIGEST}`,
      },
    ],
  },
};

let sensor: Sensor;
let sensorPort: number;
let server: TestServer;
const dirs: string[] = [];

beforeAll(async () => {
  const pods = new PodIndex();
  pods.upsert(pod);
  sensor = new Sensor(
    loadSensorConfig({
      BURNWATCH_SENSOR_PORT: '0',
      BURNWATCH_SENSOR_HOST: '127.0.0.1',
      BURNWATCH_SENSOR_KUBERNETES: 'off',
    }),
    { pods, log: () => {} },
  );
  sensorPort = await sensor.start();
  server = await startNodeServer('bw-in-pod');

  // /kubepods.slice/kubepods-pod<uid>.slice/cri-containerd-<id>.scope, as the systemd cgroup driver makes it.
  const root = cgroup2Root();
  const podDir = path.join(root, 'bw-test-kubepods.slice', `kubepods-pod${POD_UID.replace(/-/g, '_')}.slice`);
  const scope = path.join(podDir, `cri-containerd-${CONTAINER_ID}.scope`);
  for (const d of [path.dirname(podDir), podDir, scope]) {
    mkdirSync(d);
    dirs.unshift(d);
  }
  writeFileSync(path.join(scope, 'cgroup.procs'), String(server.pid));
});

afterAll(async () => {
  await server?.stop(); // an emptied cgroup can be removed
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch {
      // best effort: a cgroup still populated stays until its process exits
    }
  }
  await sensor?.stop();
});

describe('a server inside a (containerd-style) pod cgroup', () => {
  it('is labelled with its namespace, Deployment, image and digest', async () => {
    expect(readFileSync(`/proc/${server.pid}/cgroup`, 'utf8')).toContain(CONTAINER_ID);
    expect((await freshRequests(server.port, '/cart/items/9?status=200', 4)).map((a) => a.status)).toEqual([
      200, 200, 200, 200,
    ]);
    await request(server.port, '/sync');
    const series = async () =>
      histogramSeries(
        parsePromText(await (await fetch(`http://127.0.0.1:${sensorPort}/metrics`)).text()),
        HTTP_SERVER_DURATION,
      );
    await waitFor('the sync request', async () =>
      (await series()).some((s) => s.labels.http_route === '/sync'),
    );

    const cart = (await series()).filter((s) => s.labels.http_route === '/cart/items/{id}');
    expect(cart).toHaveLength(1);
    expect(cart[0]!.count).toBe(4);
    expect(cart[0]!.labels).toEqual({
      k8s_namespace_name: 'shop',
      k8s_workload_name: 'checkout',
      k8s_workload_kind: 'Deployment',
      service_name: 'checkout',
      container_image_name: 'registry.test/shop/checkout',
      container_image_id: DIGEST,
      http_request_method: 'GET',
      http_route: '/cart/items/{id}',
      http_response_status_code: '200',
      url_scheme: 'http',
      network_protocol_version: '1.1',
      rpc_grpc_status_code: '',
    });
  });
});
