/**
 * Starting without what the sensor needs: it stops and says exactly what is missing.
 * And with only the capabilities the DaemonSet grants, it loads.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Sensor } from '../../sensor/agent.js';
import { loadSensorConfig } from '../../sensor/config.js';
import { decodeRecord, RECORD_SIZE } from '../../sensor/records.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const loader = path.join(root, 'bpf', 'build', 'burnwatch-loader');
const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'];

describe('starting the sensor', () => {
  it('the loader, run by an unprivileged user, names the capabilities it lacks', () => {
    const run = spawnSync('setpriv', [...asNobody, loader], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not permitted: missing CAP_BPF and CAP_PERFMON');
    expect(run.stdout).toBe('');
  });

  it('npm run sensor, run by an unprivileged user, exits 1 and says what is missing', () => {
    const run = spawnSync('setpriv', [...asNobody, process.execPath, '--import', 'tsx', 'sensor/main.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, HOME: '/tmp', BURNWATCH_SENSOR_PORT: '0' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not running as root and missing CAP_BPF and CAP_PERFMON');
  });

  it('says which BTF file is missing, from the loader and from npm run sensor', () => {
    const loaderRun = spawnSync(loader, ['--btf', '/nonexistent/vmlinux'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(loaderRun.status).toBe(1);
    expect(loaderRun.stderr).toContain('no kernel BTF: /nonexistent/vmlinux is missing');

    const agentRun = spawnSync(process.execPath, ['--import', 'tsx', 'sensor/main.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        HOME: '/tmp',
        BURNWATCH_SENSOR_PORT: '0',
        BURNWATCH_SENSOR_BTF: '/nonexistent/vmlinux',
      },
    });
    expect(agentRun.status).toBe(1);
    expect(agentRun.stderr).toContain('no kernel BTF: /nonexistent/vmlinux is missing');
  });

  it('names the program the kernel refuses', () => {
    // `make refused` builds the programs with one bounds check left out (BW_TEST_UNBOUNDED_SCAN).
    spawnSync('make', ['-s', '-C', path.join(root, 'bpf'), 'refused'], { stdio: 'inherit', timeout: 60_000 });
    const run = spawnSync(path.join(root, 'bpf', 'build', 'refused', 'burnwatch-loader'), [], {
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 16 << 20,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("burnwatch-loader: the kernel refused BPF program 'bw_exit_read'");
    expect(run.stdout).toBe('');
  });

  it('loads and attaches with only CAP_BPF and CAP_PERFMON (what the DaemonSet grants)', () => {
    // timeout ends the loader after it had time to attach; its first record says whether it did.
    const run = spawnSync(
      'setpriv',
      ['--inh-caps=-all', '--bounding-set=-all,+bpf,+perfmon', 'timeout', '-s', 'TERM', '3', loader],
      { timeout: 15_000, maxBuffer: 1 << 20 },
    );
    expect(run.stderr.toString()).toContain('programs attached');
    expect(run.stdout.length).toBeGreaterThanOrEqual(RECORD_SIZE);
    // 11 syscall tracepoints, and the exits of write, writev, sendto and sendmsg the HTTP/2 frame walk needs.
    expect(decodeRecord(run.stdout)).toMatchObject({ type: 'ready', programsAttached: 15 });
  });

  it('rejects with a message naming the loader when it is not built', async () => {
    const config = loadSensorConfig({
      BURNWATCH_SENSOR_PORT: '0',
      BURNWATCH_SENSOR_LOADER: '/nonexistent/burnwatch-loader',
    });
    const sensor = new Sensor(config, { log: () => {} });
    await expect(sensor.start()).rejects.toThrow(
      /cannot run the loader \/nonexistent\/burnwatch-loader.*make -C bpf/,
    );
    await sensor.stop();
  });

  it('npm run sensor exits 1 and says so when its loader dies', async () => {
    const agent = spawn(process.execPath, ['--import', 'tsx', 'sensor/main.ts'], {
      cwd: root,
      env: { ...process.env, BURNWATCH_SENSOR_PORT: '0', BURNWATCH_SENSOR_HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    agent.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!stderr.includes('serving http') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toContain('serving http');

      const loaderPid = Number(
        spawnSync('pgrep', ['-P', String(agent.pid), 'burnwatch-load'], { encoding: 'utf8' }).stdout.trim(),
      );
      expect(loaderPid).toBeGreaterThan(1);
      process.kill(loaderPid, 'SIGKILL');

      expect(await exited).toBe(1);
      expect(stderr).toContain('the loader stopped unexpectedly (SIGKILL)');
    } finally {
      agent.kill('SIGKILL');
    }
  });
});
