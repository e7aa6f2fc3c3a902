import { describe, expect, it } from 'vitest';
import { parseLabelSelector, sensorTargets } from './sensor-discovery.js';

const pod = (name: string, labels: Record<string, string>, phase: string, podIP?: string) => ({
  metadata: { name, namespace: 'burnwatch', labels },
  status: { phase, podIP },
});
const selector = { labels: { 'app.kubernetes.io/name': 'burnwatch-sensor' }, port: 9464 };
const sensor = { 'app.kubernetes.io/name': 'burnwatch-sensor' };

describe('sensorTargets', () => {
  it.each([
    {
      name: 'a running sensor pod is a target',
      pods: [pod('s1', sensor, 'Running', '10.1.0.7')],
      targets: ['http://10.1.0.7:9464/metrics'],
    },
    { name: 'a pending sensor pod without an IP is not', pods: [pod('s1', sensor, 'Pending')], targets: [] },
    {
      name: 'a pod of another app is not',
      pods: [pod('x', { app: 'checkout' }, 'Running', '10.1.0.8')],
      targets: [],
    },
    {
      name: 'an IPv6 address is bracketed',
      pods: [pod('s1', sensor, 'Running', 'fd00::7')],
      targets: ['http://[fd00::7]:9464/metrics'],
    },
  ])('$name', ({ pods, targets }) => {
    expect(sensorTargets(pods, selector)).toEqual(targets);
  });
});

describe('parseLabelSelector', () => {
  it('reads label=value pairs', () => {
    expect(parseLabelSelector('app.kubernetes.io/name=burnwatch-sensor, tier=node')).toEqual({
      'app.kubernetes.io/name': 'burnwatch-sensor',
      tier: 'node',
    });
  });
  it.each(['', 'app', 'app!=x', 'a=b=c'])('refuses "%s"', (raw) => {
    expect(() => parseLabelSelector(raw)).toThrow(/label=value/);
  });
});
