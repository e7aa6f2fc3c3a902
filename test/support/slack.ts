import type { AlertSnapshot } from '../../src/alerts/domain/alert-transition.js';
import type { SlackConfig } from '../../src/config/config.js';
import type { SloSpec } from '../../src/slo/domain/slo.js';
import { testConfig } from './app.js';
import { latencySlo } from './fixtures.js';
import type { SlackStandIn } from './slack-standin.js';

/** The test config's Slack part, pointed at a stand-in. */
export function slackConfig(
  standIn: SlackStandIn | undefined,
  overrides: Partial<SlackConfig> = {},
): SlackConfig {
  return {
    ...testConfig().slack,
    ...(standIn ? { botToken: standIn.token, apiUrl: standIn.url } : {}),
    ...overrides,
  };
}

/** An SLO as the engine hands it to AlertStore.apply. */
export function sloSpec(overrides: Record<string, unknown> = {}): SloSpec {
  return { ...latencySlo(), source: { type: 'sensor' }, ...overrides } as SloSpec;
}

export function alertSnapshot(overrides: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    sliPercent: 93.2,
    objective: 95,
    budgetRemainingPercent: 41.5,
    burnRates: [
      {
        severity: 'page',
        longWindow: '1h',
        shortWindow: '5m',
        threshold: 13.44,
        longBurnRate: 15.2,
        shortBurnRate: 16.04,
        firing: true,
      },
      {
        severity: 'page',
        longWindow: '6h',
        shortWindow: '30m',
        threshold: 5.6,
        longBurnRate: 3.1,
        shortBurnRate: 4.2,
        firing: false,
      },
    ],
    exhaustionAt: '2026-11-25T20:40:00.000Z',
    ...overrides,
  };
}

/** Waits (bounded) until `check` passes; its last failure is the test's failure. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
