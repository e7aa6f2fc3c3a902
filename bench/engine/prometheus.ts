/**
 * Prometheus' side: Sloth-style rules for N SLOs, the same series backfilled with promtool from OpenMetrics
 * text, a live exporter continuing the same counters, and Prometheus' own rule-group timings.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { defaultBurnRateWindows } from '../../src/alerts/domain/alert-policy.js';
import { NAMESPACE, STATUS_ERROR, STATUS_OK, errorCount, okCount, workloadName } from './traffic.js';

const METRIC = 'http_server_request_duration_seconds_count';
/** Sloth's SLI windows: the alert windows of the 30 d policy, and the SLO window itself. */
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];
const EVAL_INTERVAL_SECONDS = 30;
/** job/instance as the exporter exposes them (honor_labels): backfilled and scraped samples are one series. */
const TARGET_LABELS = 'job="burnwatch-bench",instance="synthetic"';

export interface PrometheusResult {
  slos: number;
  groups: number;
  rules: number;
  samples: number;
  openMetricsBytes: number;
  backfillSeconds: number;
  /** Sum over every group of prometheus_rule_group_last_duration_seconds, once per evaluation interval. */
  cycleSumSeconds: number[];
  /** Group evaluations skipped during the measured intervals because the previous one had overrun. */
  missedIterations: number;
  /** Prometheus process CPU per full pass over every group (includes scraping the exporter meanwhile). */
  cpuPerCycleSeconds: number;
  unhealthyRules: number;
  rssMiB: number;
}

const log = (message: string) => console.error(`[prometheus] ${message}`);

const labelsOf = (w: number, status?: number) =>
  `${TARGET_LABELS},k8s_namespace_name="${NAMESPACE}",k8s_workload_name="${workloadName(w)}"` +
  (status === undefined ? '' : `,http_response_status_code="${status}"`);

const windowName = (seconds: number) =>
  seconds % 86400 === 0
    ? `${seconds / 86400}d`
    : seconds % 3600 === 0
      ? `${seconds / 3600}h`
      : `${seconds / 60}m`;

/** Sloth's layout: a group of SLI recording rules and a group of alerts per SLO. */
export function rulesYaml(slos: number): string {
  const lines = ['groups:'];
  const windows = defaultBurnRateWindows(30 * 86400);
  for (let w = 0; w < slos; w++) {
    const id = `${NAMESPACE}-${workloadName(w)}-errors`;
    const selector = `k8s_namespace_name="${NAMESPACE}",k8s_workload_name="${workloadName(w)}"`;
    lines.push(`  - name: sloth-slo-sli-recordings-${id}`, '    rules:');
    for (const window of WINDOWS) {
      lines.push(
        `      - record: slo:sli_error:ratio_rate${window}`,
        `        expr: (sum(rate(${METRIC}{${selector},http_response_status_code=~"5.."}[${window}]))) / (sum(rate(${METRIC}{${selector}}[${window}])))`,
        `        labels: {sloth_id: ${id}, sloth_service: ${workloadName(w)}, sloth_slo: errors, sloth_window: ${window}}`,
      );
    }
    lines.push(`  - name: sloth-slo-alerts-${id}`, '    rules:');
    for (const severity of ['page', 'ticket'] as const) {
      const tiers = windows
        .filter((t) => t.severity === severity)
        .map((t) => {
          const factor = `(${Number(t.burnRate.toFixed(6))} * 0.001)`;
          const cond = (seconds: number) =>
            `max(slo:sli_error:ratio_rate${windowName(seconds)}{sloth_id="${id}"} > ${factor}) without (sloth_window)`;
          return `(${cond(t.shortWindowSeconds)} and ${cond(t.longWindowSeconds)})`;
        });
      lines.push(
        `      - alert: ErrorBudgetBurn${severity === 'page' ? 'Page' : 'Ticket'}`,
        `        expr: ${tiers.join(' or ')}`,
        `        labels: {severity: ${severity}, sloth_id: ${id}}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * OpenMetrics text of both counters of every workload from `firstMinute` to `endMinute`: a sample per hour for
 * data older than a day, a sample per minute for the last day (the counters are cumulative, so the rates over
 * every window are the same as with per-minute samples throughout).
 */
async function writeOpenMetrics(
  file: string,
  slos: number,
  firstMinute: number,
  endMinute: number,
): Promise<number> {
  const out = createWriteStream(file);
  const write = (text: string) => (out.write(text) ? undefined : once(out, 'drain'));
  await write(`# TYPE ${METRIC} unknown\n`);
  const minutes: number[] = [];
  for (let m = firstMinute; m < endMinute - 1440; m += 60) minutes.push(m);
  for (let m = Math.max(firstMinute, endMinute - 1440); m <= endMinute; m++) minutes.push(m);
  let samples = 0;
  for (let w = 0; w < slos; w++) {
    for (const status of [STATUS_OK, STATUS_ERROR]) {
      const labels = labelsOf(w, status);
      let chunk = '';
      for (const m of minutes) {
        const value = status === STATUS_OK ? okCount(w, firstMinute, m) : errorCount(w, firstMinute, m);
        chunk += `${METRIC}{${labels}} ${value} ${m * 60}\n`;
      }
      samples += minutes.length;
      await write(chunk);
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return samples;
}

/** The counters' current values, as a sensor would expose them, for Prometheus to scrape after the backfill. */
function startExporter(slos: number, firstMinute: number): Promise<Server> {
  const server = createServer((_request, response) => {
    const minute = Math.floor(Date.now() / 60_000);
    let body = `# TYPE ${METRIC} untyped\n`;
    for (let w = 0; w < slos; w++) {
      body += `${METRIC}{${labelsOf(w, STATUS_OK)}} ${okCount(w, firstMinute, minute)}\n`;
      body += `${METRIC}{${labelsOf(w, STATUS_ERROR)}} ${errorCount(w, firstMinute, minute)}\n`;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface Sample {
  name: string;
  labels: string;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)/.exec(line);
    if (match) samples.push({ name: match[1]!, labels: match[2] ?? '', value: Number(match[3]) });
  }
  return samples;
}

/** Evaluations each group actually ran (scheduled minus missed). */
function executedByGroup(samples: Sample[]): Map<string, number> {
  const executed = new Map<string, number>();
  for (const s of samples) {
    if (s.name === 'prometheus_rule_group_iterations_total')
      executed.set(s.labels, (executed.get(s.labels) ?? 0) + s.value);
    if (s.name === 'prometheus_rule_group_iterations_missed_total')
      executed.set(s.labels, (executed.get(s.labels) ?? 0) - s.value);
  }
  return executed;
}

const sumOf = (samples: Sample[], name: string) =>
  samples.filter((s) => s.name === name).reduce((total, s) => total + s.value, 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchPrometheus(options: {
  slos: number;
  evaluations: number;
  tmpRoot: string;
}): Promise<PrometheusResult> {
  const { slos, evaluations, tmpRoot } = options;
  const dir = mkdtempSync(path.join(tmpRoot, 'burnwatch-bench-prometheus-'));
  let exporter: Server | undefined;
  let prometheus: ChildProcess | undefined;
  try {
    // History ends at the current minute; the exporter carries the counters on from there.
    const endMinute = Math.floor(Date.now() / 60_000);
    const firstMinute = Math.floor((endMinute - 30 * 1440) / 60) * 60;
    const openMetrics = path.join(dir, 'history.om.txt');
    log(`${slos} SLOs: writing OpenMetrics history`);
    const samples = await writeOpenMetrics(openMetrics, slos, firstMinute, endMinute);
    const openMetricsBytes = statSync(openMetrics).size;
    log(
      `${samples} samples, ${(openMetricsBytes / 2 ** 20).toFixed(0)} MiB; promtool tsdb create-blocks-from openmetrics`,
    );
    const backfillStart = Date.now();
    const data = path.join(dir, 'data');
    const backfill = spawnSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=744h', openMetrics, data],
      { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
    );
    if (backfill.status !== 0) throw new Error(`promtool failed: ${backfill.stderr}${backfill.stdout}`);
    const backfillSeconds = (Date.now() - backfillStart) / 1000;
    rmSync(openMetrics);
    log(`backfilled in ${backfillSeconds.toFixed(0)} s`);

    const rules = rulesYaml(slos);
    writeFileSync(path.join(dir, 'rules.yml'), rules);
    const check = spawnSync('promtool', ['check', 'rules', path.join(dir, 'rules.yml')], {
      encoding: 'utf8',
    });
    if (check.status !== 0) throw new Error(`promtool check rules: ${check.stdout}${check.stderr}`);

    exporter = await startExporter(slos, firstMinute);
    const exporterPort = (exporter.address() as AddressInfo).port;
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 15s',
        `  evaluation_interval: ${EVAL_INTERVAL_SECONDS}s`,
        'rule_files: [rules.yml]',
        'scrape_configs:',
        '  - job_name: burnwatch-bench',
        '    honor_labels: true',
        `    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=90d',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prometheus.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${base}/-/ready`)).ok,
      300_000,
      () => stderr,
    );
    const groups = 2 * slos;
    const metrics = async () => parseMetrics(await (await fetch(`${base}/metrics`)).text());

    // Wait until every group has run twice (the first evaluation pages the history in from disk).
    log('waiting for every group to evaluate twice');
    await waitFor(
      async () => {
        const executed = executedByGroup(await metrics());
        return executed.size >= groups && [...executed.values()].every((n) => n >= 2);
      },
      30 * 60_000,
      () => stderr,
    );
    const start = await metrics();
    const cycleSumSeconds: number[] = [];
    for (let i = 0; i < evaluations; i++) {
      await sleep(EVAL_INTERVAL_SECONDS * 1000);
      const m = await metrics();
      cycleSumSeconds.push(sumOf(m, 'prometheus_rule_group_last_duration_seconds'));
      log(`interval ${i + 1}: sum of group durations ${cycleSumSeconds.at(-1)!.toFixed(2)} s`);
    }
    const end = await metrics();
    const cpu = sumOf(end, 'process_cpu_seconds_total') - sumOf(start, 'process_cpu_seconds_total');
    // prometheus_rule_group_iterations_total counts scheduled evaluations, missed ones included.
    const executed = (m: Sample[]) => [...executedByGroup(m).values()].reduce((a, b) => a + b, 0);
    const iterations = executed(end) - executed(start);
    const missed =
      sumOf(end, 'prometheus_rule_group_iterations_missed_total') -
      sumOf(start, 'prometheus_rule_group_iterations_missed_total');
    const rulesApi = (await (await fetch(`${base}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { health: string }[] }[] };
    };
    // A sanity check that the rules computed something real: the same SLO the Burnwatch side prints.
    const query = `slo:sli_error:ratio_rate30d{sloth_id="${NAMESPACE}-${workloadName(1)}-errors"}`;
    const answer = await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`)).json();
    log(`${query}: ${JSON.stringify((answer as { data: unknown }).data).slice(0, 300)}`);
    const unhealthyRules = rulesApi.data.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health !== 'ok').length;
    return {
      slos,
      groups,
      rules: slos * (WINDOWS.length + 2),
      samples,
      openMetricsBytes,
      backfillSeconds,
      cycleSumSeconds,
      // CPU per full cycle: the CPU spent, divided by the number of complete passes over every group.
      cpuPerCycleSeconds: cpu / (iterations / groups),
      missedIterations: missed,
      unhealthyRules,
      rssMiB: sumOf(end, 'process_resident_memory_bytes') / 2 ** 20,
    };
  } finally {
    if (prometheus && prometheus.exitCode === null) {
      // Shutting down waits for the evaluations in flight, which can take minutes when Prometheus is overloaded.
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      const timer = setTimeout(() => prometheus?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    exporter?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(
  ready: () => Promise<boolean>,
  timeoutMs: number,
  context: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`Prometheus was not ready in time: ${context()}`);
    await sleep(1000);
  }
}
