import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS } from './config.js';
import { HTTP_LABELS, SensorMetrics, type HttpLabels } from './metrics.js';
import { KERNEL_STATS, LOADER_COUNTERS, decodeRecord } from './records.js';

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
  network_protocol_version: '1.1',
  rpc_grpc_status_code: '',
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

  it('counts requests lost in the kernel by reason, from the counters records, as deltas', async () => {
    const m = metrics();
    // A bw_counters_record: type 6, its size, every entry of the kernel's stats map, then the loader's counters.
    const counters = (values: Record<string, number>) => {
      const n = KERNEL_STATS.length;
      const b = Buffer.alloc(16 + 8 * (n + LOADER_COUNTERS.length));
      b.writeUInt8(6, 0);
      b.writeUInt32LE(b.length, 4);
      b.writeUInt32LE(n, 8);
      b.writeUInt32LE(LOADER_COUNTERS.length, 12);
      KERNEL_STATS.forEach((name, i) => b.writeBigUInt64LE(BigInt(values[name] ?? 0), 16 + i * 8));
      return decodeRecord(b);
    };
    const lost = async () =>
      (await m.registry.metrics())
        .split('\n')
        .filter((l) => l.startsWith('burnwatch_sensor_requests_lost_total{'))
        .sort();
    // Every reason is there from the start, at 0.
    expect(await lost()).toHaveLength(10);
    const first = counters({ lost_not_seen: 3, lost_no_status: 1, conns_recovered: 5 });
    expect(first.type).toBe('counters');
    if (first.type !== 'counters') return;
    m.applyCounters(first);
    const second = counters({
      lost_not_seen: 4,
      lost_no_status: 1,
      lost_beyond_scan: 2,
      h2_undecodable: 3,
      h2_reset: 1,
      h2_lost_desync: 2,
    });
    if (second.type === 'counters') m.applyCounters(second);
    expect(await lost()).toEqual([
      'burnwatch_sensor_requests_lost_total{reason="beyond_scan"} 2',
      'burnwatch_sensor_requests_lost_total{reason="h2_desync"} 2',
      'burnwatch_sensor_requests_lost_total{reason="h2_reset"} 1',
      'burnwatch_sensor_requests_lost_total{reason="h2_unanswered"} 0',
      'burnwatch_sensor_requests_lost_total{reason="h2_undecodable"} 3',
      'burnwatch_sensor_requests_lost_total{reason="no_status_line"} 1',
      'burnwatch_sensor_requests_lost_total{reason="not_seen"} 4',
      'burnwatch_sensor_requests_lost_total{reason="queue_full"} 0',
      'burnwatch_sensor_requests_lost_total{reason="ringbuf_full"} 0',
      'burnwatch_sensor_requests_lost_total{reason="tls_unpaired"} 0',
    ]);
    expect(await m.registry.metrics()).toContain(
      'burnwatch_sensor_kernel_events_total{event="conns_recovered"} 5',
    );
  });
});
