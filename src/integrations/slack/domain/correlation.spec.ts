import { describe, expect, it } from 'vitest';
import { readCorrelation } from './correlation.js';

describe('readCorrelation', () => {
  it('names an event by the kind and name the Kubernetes correlation writes', () => {
    const correlation = readCorrelation({
      suspects: [],
      events: [{ reason: 'BackOff', objectKind: 'Pod', objectName: 'checkout-7d9f8c6b5-x2x9k', count: 40 }],
      imageComparison: null,
    });
    expect(correlation?.events).toEqual([
      expect.objectContaining({ reason: 'BackOff', object: 'Pod/checkout-7d9f8c6b5-x2x9k', count: 40 }),
    ]);
  });
});
