import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS, loadSensorConfig, SensorConfigError } from './config.js';

describe('loadSensorConfig', () => {
  it('defaults to port 9464, the contract buckets and no exclusions', () => {
    const c = loadSensorConfig({});
    expect(c.port).toBe(9464);
    expect(c.bucketsSeconds).toEqual([...DEFAULT_BUCKETS_SECONDS]);
    expect(c.excludedPorts).toEqual([]);
    expect(c.kubernetes).toBe('off');
  });

  it('reads buckets, excluded namespaces, processes and ports', () => {
    const c = loadSensorConfig({
      BURNWATCH_SENSOR_PORT: '9999',
      BURNWATCH_SENSOR_BUCKETS: '0.1, 0.5,1',
      BURNWATCH_SENSOR_EXCLUDE_NAMESPACES: 'kube-system,monitoring',
      BURNWATCH_SENSOR_EXCLUDE_PROCESSES: 'sshd',
      BURNWATCH_SENSOR_EXCLUDE_PORTS: '22,10250',
    });
    expect(c.port).toBe(9999);
    expect(c.bucketsSeconds).toEqual([0.1, 0.5, 1]);
    expect([...c.excludedNamespaces]).toEqual(['kube-system', 'monitoring']);
    expect([...c.excludedProcesses]).toEqual(['sshd']);
    expect(c.excludedPorts).toEqual([22, 10250]);
    expect(c.btfPath).toBeNull();
    expect(loadSensorConfig({ BURNWATCH_SENSOR_BTF: '/var/lib/btf/5.4.0.btf' }).btfPath).toBe(
      '/var/lib/btf/5.4.0.btf',
    );
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadSensorConfig({
        BURNWATCH_SENSOR_PORT: 'http',
        BURNWATCH_SENSOR_BUCKETS: '1,0.5',
        BURNWATCH_SENSOR_EXCLUDE_PORTS: '70000',
        BURNWATCH_SENSOR_KUBERNETES: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SensorConfigError);
    const problems = (error as SensorConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/BURNWATCH_SENSOR_PORT=http/);
    expect(problems.join('\n')).toMatch(/BURNWATCH_SENSOR_BUCKETS=1,0.5/);
  });

  it('refuses more bucket bounds than the loader counts into, naming the limit', () => {
    const bounds = Array.from({ length: 64 }, (_, i) => (i + 1) / 100).join(',');
    expect(() => loadSensorConfig({ BURNWATCH_SENSOR_BUCKETS: bounds })).toThrow(
      /BURNWATCH_SENSOR_BUCKETS: at most 63 bounds/,
    );
    const most = Array.from({ length: 63 }, (_, i) => (i + 1) / 100).join(',');
    expect(loadSensorConfig({ BURNWATCH_SENSOR_BUCKETS: most }).bucketsSeconds).toHaveLength(63);
  });

  it('turns Kubernetes on inside a cluster and then requires the node name', () => {
    expect(() => loadSensorConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toThrow(/NODE_NAME/);
    expect(loadSensorConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1', NODE_NAME: 'n1' }).kubernetes).toBe('on');
  });
});
