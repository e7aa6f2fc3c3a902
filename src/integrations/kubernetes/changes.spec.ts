import { describe, expect, it } from 'vitest';
import { RevisionPair, rolloutChanges } from './changes.js';

function pair(overrides: Partial<RevisionPair>): RevisionPair {
  return {
    namespace: 'shop',
    workloadKind: 'Deployment',
    workload: 'checkout',
    revision: 2,
    images: { app: 'checkout:1.3.0', proxy: 'envoy:1.30' },
    previousImages: { app: 'checkout:1.2.0', proxy: 'envoy:1.30' },
    startedAt: new Date('2026-11-25T12:00:00Z'),
    finishedAt: null,
    failedAt: null,
    failureMessage: null,
    ...overrides,
  };
}

const digests: Record<string, string> = { 'checkout:1.2.0': 'sha256:old', 'checkout:1.3.0': 'sha256:new' };
const lookup = (_ns: string, _kind: string, _wl: string, _container: string, image: string) => digests[image];

describe('rolloutChanges', () => {
  it.each([
    {
      name: 'a new image in one container is one deploy of that container, with both digests',
      pair: pair({}),
      want: [['deploy', 'app', 'checkout:1.2.0', 'checkout:1.3.0', 'sha256:old', 'sha256:new']],
    },
    {
      name: 'new images in two containers are two deploys',
      pair: pair({ images: { app: 'checkout:1.3.0', proxy: 'envoy:1.31' } }),
      want: [
        ['deploy', 'app', 'checkout:1.2.0', 'checkout:1.3.0', 'sha256:old', 'sha256:new'],
        ['deploy', 'proxy', 'envoy:1.30', 'envoy:1.31', null, null],
      ],
    },
    {
      name: 'a template change without a new image is a config rollout',
      pair: pair({ images: { app: 'checkout:1.2.0', proxy: 'envoy:1.30' } }),
      want: [['configRollout', null, null, null, null, null]],
    },
    {
      name: 'a first revision deploys every container',
      pair: pair({ previousImages: null, images: { app: 'checkout:1.2.0' } }),
      want: [['deploy', 'app', null, 'checkout:1.2.0', null, 'sha256:old']],
    },
    {
      name: 'a sidecar added to the template is a deploy of the sidecar',
      pair: pair({ images: { app: 'checkout:1.2.0', proxy: 'envoy:1.30', log: 'fluent:2' } }),
      want: [['deploy', 'log', null, 'fluent:2', null, null]],
    },
  ])('$name', ({ pair, want }) => {
    expect(
      rolloutChanges(pair, lookup).map((c) => [
        c.type,
        c.container,
        c.previousImage,
        c.image,
        c.previousDigest,
        c.digest,
      ]),
    ).toEqual(want);
  });
});
