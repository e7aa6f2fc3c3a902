import { describe, expect, it } from 'vitest';
import { GateInput, gateVerdict } from './gate.js';

const healthy: GateInput = {
  slo: 'checkout-errors',
  status: 'ok',
  remainingPercent: 80,
  firingSeverity: null,
  firingSince: null,
};
const options = { minBudgetPercent: 10, onUnknown: 'proceed' as const };

describe('the deploy gate', () => {
  it.each<[string, Partial<GateInput>, boolean, RegExp | null]>([
    ['lets a rollout proceed with budget left and nothing firing', {}, true, null],
    ['lets it proceed while only a ticket fires', { status: 'ticket', firingSeverity: 'ticket' }, true, null],
    [
      'stops it while a page fires',
      { status: 'page', firingSeverity: 'page', firingSince: '2026-11-09T02:00:00Z' },
      false,
      /page alert has been firing since 2026-11-09T02:00:00Z/,
    ],
    [
      'stops it when less budget is left than the threshold',
      { remainingPercent: 9.5 },
      false,
      /9.5 % of the error budget is left, below the gate's 10 %/,
    ],
    ['lets it proceed at exactly the threshold', { remainingPercent: 10 }, true, null],
    [
      'stops it when the budget is overspent',
      { remainingPercent: -23.456 },
      false,
      /overspent \(-23.46 % left\)/,
    ],
    [
      'proceeds on an SLO without data, and says the budget is unknown',
      { status: 'noData', remainingPercent: null },
      true,
      /unknown \(status noData\)/,
    ],
    [
      'proceeds on an SLO whose evaluation failed, and says so',
      { status: 'error' },
      true,
      /unknown \(status error\)/,
    ],
  ])('%s', (_name, change, proceed, reason) => {
    const verdict = gateVerdict([{ ...healthy, ...change }], options);
    expect(verdict.proceed).toBe(proceed);
    if (reason) expect(verdict.reasons.map((r) => r.reason).join('\n')).toMatch(reason);
    else expect(verdict.reasons).toEqual([]);
  });

  it('halts on an unknown budget when asked to (onUnknown=halt)', () => {
    const verdict = gateVerdict([{ ...healthy, status: 'stale' }], { ...options, onUnknown: 'halt' });
    expect(verdict).toEqual({
      proceed: false,
      reasons: [{ slo: 'checkout-errors', blocking: true, reason: 'the budget is unknown (status stale)' }],
    });
  });

  it('stops when any one of a workload’s SLOs says stop, and lists every reason', () => {
    const verdict = gateVerdict(
      [
        healthy,
        { ...healthy, slo: 'checkout-latency', remainingPercent: 2 },
        { ...healthy, slo: 'checkout-p99', firingSeverity: 'page' },
      ],
      options,
    );
    expect(verdict.proceed).toBe(false);
    expect(verdict.reasons.map((r) => r.slo)).toEqual(['checkout-latency', 'checkout-p99']);
  });

  it('says so when no SLO covers the workload', () => {
    expect(gateVerdict([], options).proceed).toBe(true);
    expect(gateVerdict([], { ...options, onUnknown: 'halt' }).proceed).toBe(false);
    expect(gateVerdict([], options).reasons[0]!.reason).toMatch(/no SLO covers this workload/);
  });
});
