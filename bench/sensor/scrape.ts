/**
 * Scrape cost benchmark: CPU to render the sensor's /metrics at a given number of series.
 *
 *   npx tsx bench/sensor/scrape.ts [--series 1000,10000] [--scrapes 20] [--thresholds 3]
 *
 * Series carry Kubernetes-like labels (namespace, Deployment, image and 64-hex digest, route) and a few requests
 * each, so every bucket line is non-trivial. For each size it renders, with CPU from process.cpuUsage():
 *   - text: the standard Prometheus exposition Prometheus scrapes (SensorMetrics.renderText), once with no
 *     series changed since the last scrape (every series' cached lines reused) and once with every series
 *     changed (each one rendered again: the worst case);
 *   - compact: Burnwatch's form (renderCompact), with `--thresholds` exact thresholds registered;
 *   - prom-client: the same histogram through prom-client's own Histogram and Registry, the way /metrics was
 *     rendered before (for comparison).
 * Prints a Markdown table: CPU ms per scrape, CPU ms per 1,000 series, bytes per scrape.
 * Run it alone on a quiet machine for figures (docs/benchmarks-sensor.md).
 */
import { Histogram, Registry } from 'prom-client';
import { DEFAULT_BUCKETS_SECONDS } from '../../sensor/config.js';
import { HTTP_LABELS, SensorMetrics, type HttpLabels } from '../../sensor/metrics.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1]!;
};
const SIZES = arg('series', '1000,10000').split(',').map(Number);
const SCRAPES = Number(arg('scrapes', '20'));
const THRESHOLDS = Number(arg('thresholds', '3'));

function labelsOf(i: number): HttpLabels {
  const workload = `shop-service-${i % 50}`;
  return {
    k8s_namespace_name: `team-${i % 7}`,
    k8s_workload_name: workload,
    k8s_workload_kind: 'Deployment',
    service_name: workload,
    container_image_name: `registry.example.com/shop/${workload}`,
    container_image_id: `sha256:${(i * 2654435761).toString(16).padStart(8, '0').repeat(8)}`,
    http_request_method: ['GET', 'POST', 'PUT'][i % 3]!,
    http_route: `/api/v1/resource-${Math.floor(i / 3) % 200}/{id}/items`,
    http_response_status_code: ['200', '201', '404', '500'][i % 4]!,
    url_scheme: i % 5 === 0 ? 'https' : 'http',
    network_protocol_version: '1.1',
    rpc_grpc_status_code: '',
  };
}

async function cpuMsAsync(work: () => Promise<unknown>): Promise<{ ms: number; result: unknown }> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, result };
}

async function main(): Promise<void> {
  const rows: string[] = [
    '| series | form | CPU ms per scrape | CPU ms per 1,000 series | MB per scrape |',
    '| ---: | --- | ---: | ---: | ---: |',
  ];
  for (const n of SIZES) {
    const metrics = new SensorMetrics(DEFAULT_BUCKETS_SECONDS, {
      agentSeconds: () => 0,
      loaderSeconds: () => 0,
    });
    metrics.registerThresholds(
      Array.from({ length: THRESHOLDS }, (_, k) => 150 + 100 * k),
      0,
    );
    const registry = new Registry();
    const old = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests.',
      labelNames: [...HTTP_LABELS],
      buckets: [...DEFAULT_BUCKETS_SECONDS],
      registers: [registry],
    });
    for (let i = 0; i < n; i++) {
      const labels = labelsOf(i);
      const series = metrics.series(labels);
      for (let r = 0; r < 5; r++) {
        const seconds = ((i * 7 + r * 13) % 1000) / 1000;
        series.observe(seconds, 0);
        old.observe(labels, seconds);
      }
    }
    const handles = Array.from({ length: n }, (_, i) => metrics.series(labelsOf(i)));
    const touchAll = () => handles.forEach((h, i) => h.observe(((i * 7) % 1000) / 1000, 0));
    const forms: [string, () => Promise<unknown> | unknown, (() => void)?][] = [
      ['text, no series changed', () => metrics.renderText()],
      ['text, every series changed', () => metrics.renderText(), touchAll],
      ['compact', () => metrics.renderCompact(0, [])],
      ['prom-client (before)', () => registry.metrics()],
    ];
    for (const [form, render, between] of forms) {
      await render(); // warm-up (label strings cached at the first render, JIT)
      let total = 0;
      let bytes = 0;
      for (let k = 0; k < SCRAPES; k++) {
        between?.(); // not measured: what the requests between two scrapes did
        const { ms, result } = await cpuMsAsync(async () => render());
        total += ms;
        bytes = Buffer.byteLength(result as string | Buffer);
      }
      const perScrape = total / SCRAPES;
      rows.push(
        `| ${n} | ${form} | ${perScrape.toFixed(2)} | ${((perScrape * 1000) / n).toFixed(2)} | ${(bytes / 1e6).toFixed(2)} |`,
      );
    }
  }
  process.stdout.write(
    `Scrape rendering, ${SCRAPES} scrapes each, ${THRESHOLDS} exact thresholds\n\n${rows.join('\n')}\n`,
  );
}

void main();
