/**
 * NodePodWatch against an API server stand-in on loopback: it lists this node's pods
 * (field selector), then follows the watch from the list's resourceVersion.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodePodWatch } from '../../sensor/kubernetes.js';
import type { PodLike } from '../../sensor/workloads.js';
import { waitFor } from './support/sensor.js';

const id = (c: string) => c.repeat(64);
const podOf = (name: string, uid: string, container: string): PodLike => ({
  metadata: {
    name,
    namespace: 'shop',
    uid,
    ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }],
  },
  status: {
    containerStatuses: [
      { name: 'app', containerID: `containerd://${container}`, image: 'db:1', imageID: '' },
    ],
  },
});
const first = podOf('db-0', 'uid-0', id('a'));
const second = podOf('db-1', 'uid-1', id('b'));

const requests: URL[] = [];
let api: http.Server;
let watch: NodePodWatch;
let watchResponse: http.ServerResponse | null = null;

beforeAll(async () => {
  api = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://api');
    requests.push(url);
    res.setHeader('content-type', 'application/json');
    if (url.pathname !== '/api/v1/pods') {
      res.statusCode = 404;
      res.end('{}');
    } else if (url.searchParams.get('watch') === 'true') {
      watchResponse = res;
      res.write(
        `${JSON.stringify({ type: 'ADDED', object: { ...second, metadata: { ...second.metadata, resourceVersion: '11' } } })}\n`,
      );
      res.write(
        `${JSON.stringify({ type: 'DELETED', object: { ...first, metadata: { ...first.metadata, resourceVersion: '12' } } })}\n`,
      );
    } else {
      res.end(
        JSON.stringify({
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '10' },
          items: [first],
        }),
      );
    }
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'test',
        server: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'test' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  watch = new NodePodWatch('node-a', () => {}, kc);
});

afterAll(async () => {
  await watch?.stop();
  watchResponse?.end();
  api.closeAllConnections();
  await new Promise((resolve) => api.close(resolve));
});

describe('NodePodWatch', () => {
  it("lists the node's pods, then applies the watch's additions and deletions", async () => {
    await watch.start();
    // Known right after start, from the list.
    expect(watch.pods.lookup(id('a'), null)?.metadata?.name).toBe('db-0');

    await waitFor('the watch events', async () => watch.pods.lookup(id('b'), null) !== undefined);
    await waitFor('the deletion', async () => watch.pods.lookup(id('a'), null) === undefined);
    expect(watch.pods.size).toBe(1);

    const [list, follow] = requests;
    expect(list!.searchParams.get('fieldSelector')).toBe('spec.nodeName=node-a');
    expect(follow!.searchParams.get('watch')).toBe('true');
    expect(follow!.searchParams.get('fieldSelector')).toBe('spec.nodeName=node-a');
    expect(follow!.searchParams.get('resourceVersion')).toBe('10');
  });
});
