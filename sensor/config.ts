/**
 * The sensor's configuration, read once from the environment into a typed object.
 * Every bad variable is reported at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseRenames,
  SERVICE_NAME_SOURCES,
  type ServiceNameSource,
  type ServiceNaming,
} from './service-name.js';

export const DEFAULT_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
] as const;

/** The loader's limit (BW_MAX_BOUNDS in bpf/include/events.h). */
export const MAX_BUCKET_BOUNDS = 63;

/** The loader's limit (BW_MAX_EXCLUDED_PORTS in bpf/include/events.h). */
export const MAX_EXCLUDED_PORTS = 16;

export type KubernetesMode = 'auto' | 'on' | 'off';

export interface SensorConfig {
  readonly port: number;
  readonly host: string;
  readonly bucketsSeconds: readonly number[];
  readonly excludedNamespaces: ReadonlySet<string>;
  readonly excludedProcesses: ReadonlySet<string>;
  readonly excludedPorts: readonly number[];
  readonly maxRoutesPerService: number;
  readonly maxConnections: number;
  /** A series with no request for this long is removed from /metrics. */
  readonly seriesIdleSeconds: number;
  readonly loaderPath: string;
  /** Extra pids whose traffic is ignored, besides the sensor's own. */
  readonly excludedPids: readonly number[];
  readonly kubernetes: KubernetesMode;
  readonly nodeName: string;
  /** Kernel BTF file for kernels built without BTF (e.g. from BTFHub); null: /sys/kernel/btf/vmlinux. */
  readonly btfPath: string | null;
  /** /proc of the host (the DaemonSet runs with hostPID). */
  readonly procRoot: string;
  /** How service_name is derived outside a pod. */
  readonly serviceNaming: ServiceNaming;
}

export class SensorConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid sensor configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'SensorConfigError';
  }
}

/** The directory holding bpf/Makefile, from sensor/ or from dist/sensor/. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'bpf', 'Makefile'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
export const DEFAULT_LOADER_PATH = path.join(repoRoot, 'bpf', 'build', 'burnwatch-loader');

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function loadSensorConfig(env: NodeJS.ProcessEnv = process.env): SensorConfig {
  const problems: string[] = [];

  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key}=${raw}: want an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const port = int('BURNWATCH_SENSOR_PORT', 9464, 0, 65535);
  const maxRoutesPerService = int('BURNWATCH_SENSOR_MAX_ROUTES_PER_SERVICE', 200, 1, 100_000);
  const maxConnections = int('BURNWATCH_SENSOR_MAX_CONNECTIONS', 8192, 64, 1 << 20);
  const seriesIdleSeconds = int('BURNWATCH_SENSOR_SERIES_IDLE_SECONDS', 3600, 1, 30 * 86_400);

  let bucketsSeconds: number[] = [...DEFAULT_BUCKETS_SECONDS];
  if (env.BURNWATCH_SENSOR_BUCKETS?.trim()) {
    const raw = env.BURNWATCH_SENSOR_BUCKETS;
    const values = list(raw).map(Number);
    const increasing = values.every((v, i) => i === 0 || v > values[i - 1]!);
    if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0) || !increasing) {
      problems.push(
        `BURNWATCH_SENSOR_BUCKETS=${raw}: want positive seconds in increasing order, e.g. 0.05,0.1,0.5,1`,
      );
    } else if (values.length > MAX_BUCKET_BOUNDS) {
      problems.push(
        `BURNWATCH_SENSOR_BUCKETS: at most ${MAX_BUCKET_BOUNDS} bounds (the loader counts into them)`,
      );
    } else {
      bucketsSeconds = values;
    }
  }

  const excludedPorts: number[] = [];
  for (const p of list(env.BURNWATCH_SENSOR_EXCLUDE_PORTS)) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      problems.push(`BURNWATCH_SENSOR_EXCLUDE_PORTS: '${p}' is not a port`);
    else excludedPorts.push(n);
  }
  if (excludedPorts.length > MAX_EXCLUDED_PORTS) {
    problems.push(`BURNWATCH_SENSOR_EXCLUDE_PORTS: at most ${MAX_EXCLUDED_PORTS} ports`);
  }

  const excludedPids: number[] = [];
  for (const p of list(env.BURNWATCH_SENSOR_EXCLUDE_PIDS)) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1) problems.push(`BURNWATCH_SENSOR_EXCLUDE_PIDS: '${p}' is not a pid`);
    else excludedPids.push(n);
  }

  const kubernetes = (env.BURNWATCH_SENSOR_KUBERNETES ?? 'auto').trim() as KubernetesMode;
  if (!['auto', 'on', 'off'].includes(kubernetes)) {
    problems.push(`BURNWATCH_SENSOR_KUBERNETES=${env.BURNWATCH_SENSOR_KUBERNETES}: want auto, on or off`);
  }
  const nodeName = env.NODE_NAME?.trim() ?? '';
  const inCluster = kubernetes === 'on' || (kubernetes === 'auto' && !!env.KUBERNETES_SERVICE_HOST);
  if (inCluster && !nodeName) {
    problems.push(
      'NODE_NAME is not set: in Kubernetes the sensor needs its node name (fieldRef spec.nodeName)',
    );
  }

  let sources: ServiceNameSource[] = [...SERVICE_NAME_SOURCES];
  const rawSources = env.BURNWATCH_SENSOR_SERVICE_NAME_FROM;
  if (rawSources?.trim()) {
    const wanted = list(rawSources);
    const bad = wanted.filter((s) => s !== 'comm' && !(SERVICE_NAME_SOURCES as string[]).includes(s));
    if (bad.length || (wanted.includes('comm') && wanted.length > 1)) {
      problems.push(
        `BURNWATCH_SENSOR_SERVICE_NAME_FROM=${rawSources}: want unit and/or cmdline in the order to try (e.g. unit,cmdline), or comm for the process name only`,
      );
    } else sources = wanted.filter((s): s is ServiceNameSource => s !== 'comm');
  }
  const renames = parseRenames(env.BURNWATCH_SENSOR_SERVICE_NAMES ?? '');
  for (const p of renames.problems) problems.push(`BURNWATCH_SENSOR_SERVICE_NAMES: ${p}`);

  if (problems.length) throw new SensorConfigError(problems);
  return {
    port,
    host: env.BURNWATCH_SENSOR_HOST?.trim() || '0.0.0.0',
    bucketsSeconds,
    excludedNamespaces: new Set(list(env.BURNWATCH_SENSOR_EXCLUDE_NAMESPACES)),
    excludedProcesses: new Set(list(env.BURNWATCH_SENSOR_EXCLUDE_PROCESSES)),
    excludedPorts,
    maxRoutesPerService,
    maxConnections,
    seriesIdleSeconds,
    loaderPath: env.BURNWATCH_SENSOR_LOADER?.trim() || DEFAULT_LOADER_PATH,
    excludedPids,
    kubernetes: inCluster ? 'on' : 'off',
    nodeName,
    btfPath: env.BURNWATCH_SENSOR_BTF?.trim() || null,
    procRoot: env.BURNWATCH_SENSOR_PROC_ROOT?.trim() || '/proc',
    serviceNaming: { sources, renames: renames.renames },
  };
}
