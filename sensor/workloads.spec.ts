import { describe, expect, it } from 'vitest';
import { imageDigest, imageName, PodIndex, workloadLabels, type PodLike } from './workloads.js';

const DIGEST = 'sha256:' + 'c'.repeat(64);
const CID = 'd'.repeat(64);

function pod(overrides: Partial<NonNullable<PodLike['metadata']>> = {}): PodLike {
  return {
    metadata: {
      name: 'checkout-7d9f8b6c5-x2k4q',
      namespace: 'shop',
      uid: 'u-1',
      labels: { 'pod-template-hash': '7d9f8b6c5' },
      ...overrides,
    },
    status: {
      containerStatuses: [
        {
          name: 'app',
          containerID: `containerd://${CID}`,
          image: 'registry.test/shop/checkout:1.4.2',
          imageID: `registry.test/shop/checkout@${DIGEST}`,
        },
      ],
    },
  };
}

describe('workloadLabels', () => {
  it.each([
    {
      name: 'a ReplicaSet pod belongs to its Deployment',
      owners: [{ kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', controller: true }],
      kind: 'Deployment',
      workload: 'checkout',
    },
    {
      name: 'a StatefulSet pod',
      owners: [{ kind: 'StatefulSet', name: 'db', controller: true }],
      kind: 'StatefulSet',
      workload: 'db',
    },
    {
      name: 'a DaemonSet pod',
      owners: [{ kind: 'DaemonSet', name: 'agent', controller: true }],
      kind: 'DaemonSet',
      workload: 'agent',
    },
    {
      name: 'a ReplicaSet without the template hash stays a ReplicaSet',
      owners: [{ kind: 'ReplicaSet', name: 'legacy', controller: true }],
      kind: 'ReplicaSet',
      workload: 'legacy',
    },
    { name: 'a bare pod is its own workload', owners: [], kind: 'Pod', workload: 'checkout-7d9f8b6c5-x2k4q' },
  ])('$name', ({ owners, kind, workload }) => {
    const labels = workloadLabels(pod({ ownerReferences: owners }), CID);
    expect(labels).toEqual({
      namespace: 'shop',
      workloadKind: kind,
      workloadName: workload,
      imageName: 'registry.test/shop/checkout',
      imageId: DIGEST,
    });
  });

  it('leaves the image empty when the container is not found', () => {
    expect(workloadLabels(pod(), 'e'.repeat(64))).toMatchObject({ imageName: '', imageId: '' });
  });
});

describe('image helpers', () => {
  it.each([
    { image: 'nginx', name: 'nginx' },
    { image: 'nginx:1.25', name: 'nginx' },
    { image: 'registry.test:5000/team/app:2', name: 'registry.test:5000/team/app' },
    { image: `docker.io/library/nginx@${DIGEST}`, name: 'docker.io/library/nginx' },
  ])('image name of $image is $name', ({ image, name }) => {
    expect(imageName(image)).toBe(name);
  });

  it('takes the digest out of an imageID', () => {
    expect(imageDigest(`docker-pullable://nginx@${DIGEST}`)).toBe(DIGEST);
    expect(imageDigest('')).toBe('');
  });
});

describe('PodIndex', () => {
  it('finds a pod by container ID or by pod UID, and forgets it when removed', () => {
    const index = new PodIndex();
    const p = pod();
    index.upsert(p);
    expect(index.lookup(CID, null)).toBe(p);
    expect(index.lookup(null, 'u-1')).toBe(p);
    index.remove(p);
    expect(index.lookup(CID, 'u-1')).toBeUndefined();
  });
});
