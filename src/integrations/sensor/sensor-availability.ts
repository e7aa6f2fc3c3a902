/**
 * Can the service start the sensor on this machine, and with which loader? Pure: the facts are gathered by
 * sensor-host.ts, so every reason can be table-tested without root or a kernel.
 */
import { missingPrivileges } from '../../../sensor/preflight.js';

/** Where the BPF loader comes from, in the order they are tried. */
export type LoaderOrigin = 'configured' | 'prebuilt' | 'built';

export interface SensorHostFacts {
  platform: string;
  arch: string;
  uid: number;
  /** CapEff from /proc/self/status (hex). */
  capEffHex: string;
  btfPath: string;
  btfExists: boolean;
  /** /sys/kernel/tracing (or debugfs' tracing) has events: the syscall tracepoints can attach. */
  tracefs: boolean;
  /** dist/sensor/main.js when it exists. */
  sensorEntry: string | null;
  /** The first loader found: BURNWATCH_SENSOR_LOADER, bpf/prebuilt/<arch>/, then bpf/build/. */
  loader: { path: string; origin: LoaderOrigin } | null;
  /** BURNWATCH_SENSOR_LOADER when it names no executable file (it is never silently replaced). */
  badConfiguredLoader: string | null;
  /** What `make -C bpf` would miss (clang, bpftool, libbpf-dev, …); empty: the loader can be built here. */
  missingBuildTools: string[];
}

export type SensorPlan =
  | { kind: 'start'; sensorEntry: string; loader: { path: string; origin: LoaderOrigin } }
  | { kind: 'build'; sensorEntry: string }
  | { kind: 'unavailable'; reason: string; action: string };

/** The first thing that stops the sensor, with what to do about it; or how to start it. */
export function planSensor(facts: SensorHostFacts): SensorPlan {
  const unavailable = (reason: string, action: string): SensorPlan => ({
    kind: 'unavailable',
    reason,
    action,
  });
  if (facts.platform !== 'linux') {
    return unavailable(
      `the eBPF sensor needs Linux, and this is ${facts.platform}`,
      'run Burnwatch on a Linux host, or list a sensor running elsewhere in BURNWATCH_SCRAPE_TARGETS',
    );
  }
  if (missingPrivileges(facts.capEffHex, facts.uid) !== null) {
    return unavailable(
      'Burnwatch is not running as root (nor with CAP_BPF and CAP_PERFMON), so it cannot load the sensor',
      'start it as root (sudo npm start), or set BURNWATCH_SENSOR=off and scrape a sensor started elsewhere',
    );
  }
  if (!facts.btfExists) {
    return unavailable(
      `the kernel has no BTF at ${facts.btfPath}, which the sensor's CO-RE programs need`,
      'use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or set BURNWATCH_SENSOR_BTF to a BTF file for this kernel (e.g. from BTFHub)',
    );
  }
  if (!facts.tracefs) {
    return unavailable(
      'tracefs is not mounted, so the syscall tracepoints cannot attach',
      'mount it: mount -t tracefs tracefs /sys/kernel/tracing',
    );
  }
  if (facts.sensorEntry === null) {
    return unavailable(
      'the sensor is not compiled (dist/sensor/main.js is missing)',
      'run npm run build (npm start does it)',
    );
  }
  if (facts.badConfiguredLoader !== null) {
    return unavailable(
      `BURNWATCH_SENSOR_LOADER=${facts.badConfiguredLoader} is not an executable file`,
      'build it with make -C bpf, or unset BURNWATCH_SENSOR_LOADER to use the loader that ships prebuilt',
    );
  }
  if (facts.loader) return { kind: 'start', sensorEntry: facts.sensorEntry, loader: facts.loader };
  if (facts.missingBuildTools.length === 0) return { kind: 'build', sensorEntry: facts.sensorEntry };
  return unavailable(
    `there is no prebuilt BPF loader for ${facts.arch} and no compiler to build one (missing ${facts.missingBuildTools.join(', ')})`,
    'install them with sudo bash scripts/install-bpf-deps.sh, or set BURNWATCH_SENSOR_LOADER to a built burnwatch-loader',
  );
}
