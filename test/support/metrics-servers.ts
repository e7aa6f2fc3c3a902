import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MetricsServer {
  name: string;
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function scrapeConfig(target: string): string {
  const url = new URL(target);
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: sensor',
    `    metrics_path: ${url.pathname}`,
    '    static_configs:',
    `      - targets: ['${url.host}']`,
    '',
  ].join('\n');
}

async function waitReady(
  url: string,
  child: ChildProcess,
  name: string,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not become ready: ${output()}`);
}

async function start(
  name: string,
  command: string,
  args: (dir: string, port: number, config: string) => string[],
  readyPath: string,
  target: string,
): Promise<MetricsServer> {
  const dir = mkdtempSync(join(tmpdir(), `burnwatch-${name}-`));
  const config = join(dir, 'scrape.yml');
  writeFileSync(config, scrapeConfig(target));
  const port = await freePort();
  const child = spawn(command, args(dir, port, config), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url + readyPath, child, name, () => output);
  return {
    name,
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real Prometheus (Debian's package) scraping `target` every second, on a free loopback port. */
export function startPrometheus(target: string): Promise<MetricsServer> {
  return start(
    'prometheus',
    'prometheus',
    (dir, port, config) => [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    '/-/ready',
    target,
  );
}

/** A real single-node VictoriaMetrics (Debian's package) scraping `target` every second. */
export function startVictoriaMetrics(target: string): Promise<MetricsServer> {
  return start(
    'victoria-metrics',
    'victoria-metrics',
    (dir, port, config) => [
      `-storageDataPath=${join(dir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      `-promscrape.config=${config}`,
      '-loggerLevel=WARN',
      '-search.latencyOffset=0s',
    ],
    '/health',
    target,
  );
}
