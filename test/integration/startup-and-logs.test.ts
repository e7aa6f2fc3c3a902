import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBurnwatch } from '../../src/app.js';
import { JsonLogger } from '../../src/observability/json-logger.js';
import { apiClient, testConfig } from '../support/app.js';
import { latencySlo } from '../support/fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Built apart from dist/ so that the test never touches what `npm start` built. */
const outDir = 'test-artifacts/build';
const main = `${outDir}/src/main.js`;
const TOKEN = 'tok-3f9a1c7e5b2d4a6c8e0f';

/** The service as `npm run start:prod` runs it, with only the given environment (plus PATH). */
function startProcess(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [main], {
    cwd: root,
    // No real sensor here (the tests run as root): test/sensor/one-command.test.ts starts one.
    env: { PATH: process.env.PATH ?? '', BURNWATCH_SENSOR: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [
    `${root}/node_modules/typescript/bin/tsc`,
    '-p',
    `${root}/tsconfig.build.json`,
    '--outDir',
    `${root}/${outDir}`,
  ]);
}, 180_000);

describe('start-up with a bad configuration', () => {
  it('refuses to start, exits 2 and names every bad variable with its reason, echoing no secret', async () => {
    const child = startProcess({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://burnwatch:s3cret-passw0rd@db:3306/burnwatch',
      BURNWATCH_API_TOKEN: 'tok-short',
      BURNWATCH_LOG_LEVEL: 'loud',
    });
    const output = collect(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(output.stdout()).toBe('');
    expect(output.stderr()).toBe(
      [
        'Burnwatch cannot start, its configuration is invalid:',
        '  PORT: must be a whole number from 0 to 65535, got "eighty"',
        '  DATABASE_URL: must start with postgres:// or postgresql://, got "mysql://"',
        '  BURNWATCH_API_TOKEN: must be at least 16 characters long',
        '  BURNWATCH_LOG_LEVEL: must be one of debug, info, warn, error, got "loud"',
        '',
      ].join('\n'),
    );
    expect(output.stderr()).not.toContain('s3cret-passw0rd');
    expect(output.stderr()).not.toContain('tok-short');
  });
});

/** Every line is a JSON object with time and level; returns them parsed. */
function jsonLines(text: string): Record<string, unknown>[] {
  const lines = text.split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(typeof entry.time, line).toBe('string');
    expect(['debug', 'info', 'warn', 'error'], line).toContain(entry.level);
    return entry;
  });
}

describe('logs of the running process', () => {
  let child: ChildProcess;
  let output: ReturnType<typeof collect>;
  let url: string;

  beforeAll(async () => {
    child = startProcess({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: inject('databaseUrl'),
      BURNWATCH_API_TOKEN: TOKEN,
      BURNWATCH_LOG_LEVEL: 'debug',
    });
    output = collect(child);
    // The start-up line says where it listens.
    for (let i = 0; i < 600 && !/listening on (http:\/\/\S+) /.test(output.stdout()); i++) {
      if (child.exitCode !== null) throw new Error(`the service exited: ${output.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    url = /listening on (http:\/\/\S+) /.exec(output.stdout())![1]!;
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('are JSON lines, one per request, without the token, and the process stops cleanly on SIGTERM', async () => {
    const api = apiClient(url, TOKEN);
    expect((await api('POST', '/api/v1/slos', latencySlo({ name: 'log-check' }))).status).toBe(201);
    expect((await apiClient(url, `${TOKEN}-wrong`)('DELETE', '/api/v1/slos/log-check')).status).toBe(401);
    expect((await api('GET', `/api/v1/slos/log-check?token=${TOKEN}`)).status).toBe(200);
    expect((await api('DELETE', '/api/v1/slos/log-check')).status).toBe(204);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);

    const entries = jsonLines(output.stdout());
    const requests = entries.filter((e) => e.msg === 'request');
    expect(requests.map((e) => [e.method, e.path, e.status])).toEqual([
      ['POST', '/api/v1/slos', 201],
      ['DELETE', '/api/v1/slos/log-check', 401],
      ['GET', '/api/v1/slos/log-check', 200],
      ['DELETE', '/api/v1/slos/log-check', 204],
    ]);
    expect(entries.slice(-2).map((e) => e.msg)).toEqual(['Received SIGTERM, shutting down', 'Stopped']);
    expect(output.stdout()).not.toContain(TOKEN);
    expect(output.stderr()).toBe('');
  });
});

describe('JsonLogger inside the app', () => {
  it('writes JSON lines with the request, never the token, also for refused and failing requests', async () => {
    const lines: string[] = [];
    const burnwatch = await startBurnwatch(
      testConfig({ apiToken: TOKEN, logLevel: 'debug' }),
      new JsonLogger('debug', (line) => lines.push(line)),
    );
    try {
      const api = apiClient(burnwatch.url, TOKEN);
      await api('POST', '/api/v1/slos', latencySlo({ name: 'in-process-log' }));
      await api('POST', '/api/v1/slos', { name: TOKEN });
      await apiClient(burnwatch.url, TOKEN.toUpperCase())('POST', '/api/v1/slos', latencySlo());
      await fetch(`${burnwatch.url}/api/v1/slos?cursor=${TOKEN}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      await api('DELETE', '/api/v1/slos/in-process-log');
    } finally {
      await burnwatch.close();
    }
    const entries = jsonLines(lines.join('\n'));
    expect(entries.filter((e) => e.msg === 'request').map((e) => e.status)).toEqual([
      201, 400, 401, 200, 204,
    ]);
    for (const line of lines) expect(line).not.toContain(TOKEN);
    expect(lines.join('\n').toLowerCase()).not.toContain(TOKEN.toLowerCase());
  });
});
