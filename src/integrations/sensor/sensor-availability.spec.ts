import { describe, expect, it } from 'vitest';
import { planSensor, type SensorHostFacts } from './sensor-availability.js';

const ready: SensorHostFacts = {
  platform: 'linux',
  arch: 'x86_64',
  uid: 0,
  capEffHex: '000001ffffffffff',
  btfPath: '/sys/kernel/btf/vmlinux',
  btfExists: true,
  tracefs: true,
  sensorEntry: '/app/dist/sensor/main.js',
  loader: { path: '/app/bpf/prebuilt/x86_64/burnwatch-loader', origin: 'prebuilt' },
  badConfiguredLoader: null,
  missingBuildTools: [],
};
const variant = (overrides: Partial<SensorHostFacts>): SensorHostFacts => ({ ...ready, ...overrides });

describe('planSensor', () => {
  const unavailable = [
    {
      name: 'on macOS it says the sensor needs Linux',
      facts: variant({ platform: 'darwin' }),
      reason: /needs Linux, and this is darwin/,
      action: /BURNWATCH_SCRAPE_TARGETS/,
    },
    {
      name: 'without root or CAP_BPF it says to start as root',
      facts: variant({ uid: 1000, capEffHex: '0' }),
      reason: /not running as root/,
      action: /sudo npm start/,
    },
    {
      name: 'without kernel BTF it names the file and BURNWATCH_SENSOR_BTF',
      facts: variant({ btfExists: false }),
      reason: /no BTF at \/sys\/kernel\/btf\/vmlinux/,
      action: /BURNWATCH_SENSOR_BTF/,
    },
    {
      name: 'without tracefs it gives the mount command',
      facts: variant({ tracefs: false }),
      reason: /tracefs is not mounted/,
      action: /mount -t tracefs tracefs \/sys\/kernel\/tracing/,
    },
    {
      name: 'without the compiled sensor it says to build',
      facts: variant({ sensorEntry: null }),
      reason: /not compiled/,
      action: /npm run build/,
    },
    {
      name: 'with BURNWATCH_SENSOR_LOADER naming no executable it says so instead of using another loader',
      facts: variant({ loader: null, badConfiguredLoader: '/opt/loader' }),
      reason: /BURNWATCH_SENSOR_LOADER=\/opt\/loader is not an executable file/,
      action: /make -C bpf/,
    },
    {
      name: 'without a loader or a compiler it names what is missing and the install script',
      facts: variant({ loader: null, missingBuildTools: ['clang', 'libbpf-dev'] }),
      reason: /no prebuilt BPF loader for x86_64 and no compiler to build one \(missing clang, libbpf-dev\)/,
      action: /scripts\/install-bpf-deps\.sh/,
    },
  ];
  it.each(unavailable)('$name', ({ facts, reason, action }) => {
    const plan = planSensor(facts);
    expect(plan.kind).toBe('unavailable');
    if (plan.kind !== 'unavailable') return;
    expect(plan.reason).toMatch(reason);
    expect(plan.action).toMatch(action);
  });

  it('starts with the loader found (the prebuilt one) when everything is there', () => {
    expect(planSensor(ready)).toEqual({
      kind: 'start',
      sensorEntry: ready.sensorEntry,
      loader: ready.loader,
    });
  });

  it('accepts a non-root user with CAP_SYS_ADMIN', () => {
    expect(planSensor(variant({ uid: 1000, capEffHex: '0000000000200000' })).kind).toBe('start');
  });

  it('builds the loader when none is found but the compiler is there', () => {
    expect(planSensor(variant({ loader: null }))).toEqual({ kind: 'build', sensorEntry: ready.sensorEntry });
  });
});
