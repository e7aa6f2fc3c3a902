import { describe, expect, it } from 'vitest';
import { COMPACT_CONTENT_TYPE, parseThresholdsHeader, wantsCompact } from './agent.js';

describe('the thresholds a scrape asks for', () => {
  it.each([
    { name: 'no header: none', header: undefined, want: { ms: [] } },
    { name: 'a list of whole milliseconds', header: '350, 1000,1', want: { ms: [350, 1000, 1] } },
    { name: 'duplicates once', header: '350,350', want: { ms: [350] } },
    { name: 'repeated headers are joined', header: ['350', '200'], want: { ms: [350, 200] } },
    {
      name: 'a fraction is named back',
      header: '350,2.5',
      want: { problem: "'2.5' is not a whole number of milliseconds from 1 to 10000" },
    },
    {
      name: 'above 10 s is named back',
      header: '10001',
      want: { problem: "'10001' is not a whole number of milliseconds from 1 to 10000" },
    },
    {
      name: 'zero is named back',
      header: '0',
      want: { problem: "'0' is not a whole number of milliseconds from 1 to 10000" },
    },
  ])('$name', ({ header, want }) => {
    expect(parseThresholdsHeader(header)).toEqual(want);
  });
});

describe('content negotiation', () => {
  it.each([
    {
      name: "Prometheus' Accept gets text",
      accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      compact: false,
    },
    { name: 'no Accept gets text', accept: undefined, compact: false },
    {
      name: "Burnwatch's media type gets the compact form",
      accept: `${COMPACT_CONTENT_TYPE}, text/plain;q=0.5`,
      compact: true,
    },
  ])('$name', ({ accept, compact }) => {
    expect(wantsCompact(accept)).toBe(compact);
  });
});
