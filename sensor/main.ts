/**
 * `npm run sensor`: checks what the sensor needs, loads the BPF programs and
 * serves /metrics. Exits with a message naming what is missing.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { loadSensorConfig, SensorConfigError } from './config.js';
import { Sensor } from './agent.js';
import { LoaderStartError } from './loader-process.js';
import { missingPrivileges } from './preflight.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

function preflight(btfPath: string | null): string[] {
  const problems: string[] = [];
  const status = readFileSync('/proc/self/status', 'utf8');
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0';
  const priv = missingPrivileges(capEff, process.getuid?.() ?? 0);
  if (priv) problems.push(priv);
  const btf = btfPath ?? '/sys/kernel/btf/vmlinux';
  if (!existsSync(btf)) {
    problems.push(
      `no kernel BTF: ${btf} is missing; the kernel needs CONFIG_DEBUG_INFO_BTF=y, or set BURNWATCH_SENSOR_BTF to a BTF file for it`,
    );
  }
  return problems;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadSensorConfig();
  } catch (err) {
    if (err instanceof SensorConfigError) {
      log(`sensor: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const problems = preflight(config.btfPath);
  try {
    accessSync(config.loaderPath, constants.X_OK);
  } catch {
    problems.push(
      `the loader ${config.loaderPath} is not built: run make -C bpf (after scripts/install-bpf-deps.sh)`,
    );
  }
  if (problems.length) {
    log(`sensor: cannot start:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }

  let podWatch: import('./kubernetes.js').NodePodWatch | null = null;
  if (config.kubernetes === 'on') {
    // Loaded only in a cluster: the client is large and not needed on a plain host.
    const { NodePodWatch } = await import('./kubernetes.js');
    podWatch = new NodePodWatch(config.nodeName, log);
    await podWatch.start();
  }
  const sensor = new Sensor(config, { pods: podWatch?.pods ?? null, log });
  sensor.onFatal((message) => {
    log(`sensor: ${message}`);
    process.exit(1);
  });
  let port: number;
  try {
    port = await sensor.start();
  } catch (err) {
    if (err instanceof LoaderStartError) {
      log(`sensor: cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  log(`sensor: serving http://${config.host}:${port}/metrics (pid ${process.pid})`);

  const shutdown = () => {
    void Promise.all([sensor.stop(), podWatch?.stop()]).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // Started by the service (src/integrations/sensor): its end of our stdin closes when it is gone, however it
  // went (even SIGKILL), so no sensor outlives it.
  if (process.env.BURNWATCH_SENSOR_SUPERVISED === '1') {
    process.stdin.once('end', shutdown);
    process.stdin.once('close', shutdown);
    process.stdin.resume();
  }
}

main().catch((err: unknown) => {
  log(`sensor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
