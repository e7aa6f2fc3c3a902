import { describe, expect, it } from 'vitest';
import type { Workload } from '../api/types.js';
import { formFor, sloBody, sloFieldLabel, switchKind, workloadLabel } from './workloads.js';

const CHECKOUT: Pick<Workload, 'namespace' | 'workload' | 'suggestedSlos'> = {
  namespace: 'shop',
  workload: 'checkout',
  suggestedSlos: [
    {
      name: 'checkout-errors',
      description: 'shop/checkout answers without server errors',
      service: { namespace: 'shop', workload: 'checkout' },
      indicator: { type: 'errorRate', errorStatus: '5xx' },
      objective: 99.9,
      window: '30d',
    },
    {
      name: 'checkout-latency',
      description: 'shop/checkout answers within 500 ms',
      service: { namespace: 'shop', workload: 'checkout' },
      indicator: { type: 'latency', thresholdMs: 500 },
      objective: 99,
      window: '30d',
    },
  ],
};
const NGINX = { namespace: null, workload: 'nginx', suggestedSlos: [] };

describe('the Create SLO form', () => {
  it.each([
    {
      name: 'an error-rate SLO on the whole workload, as suggested',
      workload: CHECKOUT,
      form: formFor(CHECKOUT, 'errorRate'),
      body: {
        name: 'checkout-errors',
        description: 'shop/checkout answers without server errors',
        service: { namespace: 'shop', workload: 'checkout' },
        indicator: { type: 'errorRate', errorStatus: '5xx' },
        objective: 99.9,
        window: '30d',
      },
    },
    {
      name: 'a latency SLO on one route, with a team',
      workload: CHECKOUT,
      form: { ...formFor(CHECKOUT, 'latency'), route: 'POST /api/pay', team: ' payments ' },
      body: {
        name: 'checkout-latency',
        description: 'shop/checkout answers within 500 ms',
        service: { namespace: 'shop', workload: 'checkout', route: '/api/pay', method: 'POST' },
        indicator: { type: 'latency', thresholdMs: 500 },
        objective: 99,
        window: '30d',
        team: 'payments',
      },
    },
    {
      name: 'outside Kubernetes, no namespace; without a suggestion, sensible defaults',
      workload: NGINX,
      form: { ...formFor(NGINX, 'latency'), name: 'nginx-latency' },
      body: {
        name: 'nginx-latency',
        description: '',
        service: { workload: 'nginx' },
        indicator: { type: 'latency', thresholdMs: 300 },
        objective: 99,
        window: '30d',
      },
    },
    {
      name: 'a number that is not one is sent as typed, for the server to name the field',
      workload: CHECKOUT,
      form: { ...formFor(CHECKOUT, 'errorRate'), objective: 'lots' },
      body: { objective: 'lots' },
    },
  ])('$name', ({ workload, form, body }) => expect(sloBody(workload, form)).toMatchObject(body));

  it('switching the kind takes the other suggestion and keeps route, window and team', () => {
    const form = { ...formFor(CHECKOUT, 'errorRate'), route: 'GET /', window: '7d', team: 'web' };
    expect(switchKind(CHECKOUT, form, 'latency')).toMatchObject({
      kind: 'latency',
      name: 'checkout-latency',
      thresholdMs: '500',
      objective: '99',
      route: 'GET /',
      window: '7d',
      team: 'web',
    });
  });

  it.each([
    { field: 'indicator.thresholdMs', label: 'Threshold' },
    { field: 'Authorization', label: 'API token' },
    { field: 'alerting', label: 'alerting' },
  ])('names the field $field "$label"', ({ field, label }) => expect(sloFieldLabel(field)).toBe(label));

  it.each([
    { workload: CHECKOUT, label: 'shop/checkout' },
    { workload: NGINX, label: 'nginx' },
  ])('labels a workload $label', ({ workload, label }) => expect(workloadLabel(workload)).toBe(label));
});
