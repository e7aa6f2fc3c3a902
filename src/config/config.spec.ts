import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.apiToken).toBeUndefined();
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u:p@db:5432/burnwatch',
      BURNWATCH_API_TOKEN: 'a-long-enough-token',
      BURNWATCH_DATA_DIR: '/var/lib/burnwatch',
      BURNWATCH_LOG_LEVEL: 'WARN',
    });
    expect(config).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://u:p@db:5432/burnwatch',
      apiToken: 'a-long-enough-token',
      dataDir: '/var/lib/burnwatch',
      logLevel: 'warn',
    });
  });

  it('lists every bad variable with its reason in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', BURNWATCH_API_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable);
    expect(problems).toEqual(['PORT', 'DATABASE_URL', 'BURNWATCH_API_TOKEN']);
    expect((error as ConfigError).message).toContain(
      'PORT: must be a whole number from 0 to 65535, got "eighty"',
    );
  });

  it('reads the Kubernetes variables, defaulting to auto, a 2 h lookback and a 30 d retention', () => {
    expect(loadConfig({}).kubernetes).toEqual({
      mode: 'auto',
      kubeconfig: undefined,
      lookbackSeconds: 7200,
      retentionSeconds: 2592000,
    });
    const config = loadConfig({
      BURNWATCH_KUBERNETES: 'OFF',
      KUBECONFIG: '/etc/kube/config:/other',
      BURNWATCH_KUBERNETES_LOOKBACK: '90m',
      BURNWATCH_KUBERNETES_RETENTION: '7d',
    });
    expect(config.kubernetes).toEqual({
      mode: 'off',
      kubeconfig: '/etc/kube/config',
      lookbackSeconds: 5400,
      retentionSeconds: 604800,
    });
  });

  it('names the bad Kubernetes variables', () => {
    let error: unknown;
    try {
      loadConfig({ BURNWATCH_KUBERNETES: 'yes', BURNWATCH_KUBERNETES_LOOKBACK: '2 hours' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      { variable: 'BURNWATCH_KUBERNETES', message: 'must be "auto" or "off", got "yes"' },
      {
        variable: 'BURNWATCH_KUBERNETES_LOOKBACK',
        message: 'must be a duration such as "90m", "2h" or "30d", got "2 hours"',
      },
    ]);
  });

  it('starts the sensor where it can unless BURNWATCH_SENSOR is off, and names the variable when it is neither', () => {
    expect(loadConfig({}).sensor).toEqual({ mode: 'auto' });
    expect(loadConfig({ BURNWATCH_SENSOR: 'Off' }).sensor).toEqual({ mode: 'off' });
    expect(() => loadConfig({ BURNWATCH_SENSOR: 'on' })).toThrow(
      'BURNWATCH_SENSOR: must be "auto" or "off", got "on"',
    );
  });
});
