import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS } from './config.js';
import { HTTP_LABELS, SensorMetrics, type HttpLabels } from './metrics.js';

const labels = (route: string): HttpLabels => ({
  k8s_namespace_name: '',
  k8s_workload_name: '',
  k8s_workload_kind: '',
  service_name: 'api',
  container_image_name: '',
  container_image_id: '',
  http_request_method: 'GET',
  http_route: route,
  http_response_status_code: '200',
  url_scheme: 'http',
});

const metrics = () =>
  new SensorMetrics(DEFAULT_BUCKETS_SECONDS, { agentSeconds: () => 0, loaderSeconds: () => 0 });

describe('SensorMetrics', () => {
  it('exports the histogram with every contract label, empty where unknown, and the contract buckets', async () => {
    const m = metrics();
    m.series(labels('/users/{id}')).observe(0.12, 0);
    const text = (await m.renderText()).toString();
    const bucketLines = text
      .split('\n')
      .filter((l) => l.startsWith('http_server_request_duration_seconds_bucket'));
    expect(bucketLines.map((l) => /le="([^"]+)"/.exec(l)![1])).toEqual([
      ...DEFAULT_BUCKETS_SECONDS.map(String),
      '+Inf',
    ]);
    for (const name of HTTP_LABELS) expect(bucketLines[0]).toContain(`${name}="`);
    expect(bucketLines[0]).toContain('k8s_namespace_name=""');
    // 0.12 s: above the 0.1 bucket, inside 0.15.
    expect(text).toMatch(/le="0.1",[^\n]*} 0\n/);
    expect(text).toMatch(/le="0.15",[^\n]*} 1\n/);
  });

  it('removes series idle for longer than the limit and keeps the others', async () => {
    const m = metrics();
    m.series(labels('/old')).observe(0.01, 1_000);
    const fresh = m.series(labels('/fresh'));
    fresh.observe(0.01, 1_000);
    fresh.observe(0.01, 5_000);

    expect(m.removeIdleSeries(6_000, 3_000)).toBe(1);
    const text = (await m.renderText()).toString();
    expect(text).not.toContain('http_route="/old"');
    expect(text).toContain('http_route="/fresh"');
    expect(text).toContain('burnwatch_sensor_http_series 1');
  });
});
