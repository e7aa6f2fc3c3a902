import { describe, expect, it } from 'vitest';
import { checkPromqlQuery, parsePromql, promqlForWindow } from './promql.js';

describe('checkPromqlQuery', () => {
  it.each([
    { name: 'a query with {{window}} is windowed', query: 'sum(increase(x[{{window}}]))' },
    { name: 'spaces inside the placeholder are allowed', query: 'sum(increase(x[{{ window }}]))' },
    { name: "sloth's {{.window}} is a placeholder", query: 'sum(increase(x[{{.window}}]))' },
    { name: "the OpenSLO SDK's {{.Window}} is a placeholder", query: 'sum(increase(x[{{ .Window }}]))' },
    { name: 'a windowed query may scale its count', query: 'sum(increase(x[{{window}}])) / 2' },
  ])('$name', ({ query }) => {
    expect(checkPromqlQuery(query)).toEqual({ ok: true, shape: 'windowed' });
  });

  it.each([
    { name: 'a bare counter selector is a counter', query: 'requests_total{code=~"5.."}' },
    { name: 'a sum of a counter is a counter', query: 'sum(requests_total)' },
    { name: 'a sum by a label of a counter is a counter', query: 'sum by (code) (requests_total)' },
    { name: 'a sum with a trailing without clause is a counter', query: 'sum(requests_total) without (pod)' },
    { name: 'a difference of sums of counters is a counter', query: 'sum(a_total) - (sum(b_total))' },
  ])('$name', ({ query }) => {
    expect(checkPromqlQuery(query)).toEqual({ ok: true, shape: 'counter' });
  });

  it.each([
    {
      name: 'a syntax error names its line and column',
      query: 'sum(rate(x[5m])) bar',
      message: /unexpected "bar" \(at line 1, column 18\)/,
    },
    {
      name: 'a position after a placeholder counts the placeholder as written',
      query: 'sum(increase(x[{{ .Window }}])) )',
      message: /unexpected "\)" \(at line 1, column 33\)/,
    },
    {
      name: 'a position on a later line names that line',
      query: 'sum(\n  increase(x[{{window}}])\n) +',
      message: /ends too early.*\(at line 3, column 4\)/,
    },
    {
      name: 'an unknown function is named',
      query: 'sum(rat(x[{{window}}]))',
      message: /calls "rat", which is not a PromQL function \(at line 1, column 8\)/,
    },
    {
      name: 'an unknown placeholder is named with the ones Burnwatch fills',
      query: 'sum(increase(x[{{.Range}}]))',
      message: /unknown placeholder \{\{\.Range\}\}.*\{\{window\}\}/,
    },
    {
      name: 'offset after an aggregation is refused as Prometheus refuses it',
      query: '(sum(x)) - (sum(x) offset 1h)',
      message: /offset modifier after "sum\(x\)".*must follow a metric selector/,
    },
    {
      name: 'a range on an expression points to the subquery syntax',
      query: 'increase(sum(x)[{{window}}])',
      message: /range \[d\] applies only to a metric selector.*subquery/,
    },
    {
      name: 'a function given the wrong type says what it needs',
      query: 'rate(x)',
      message: /argument 1 of rate\(\), which needs a range vector: give it a range/,
    },
    {
      name: 'a query that gives a range vector is refused',
      query: 'x[{{window}}]',
      message: /must give an instant vector or a scalar/,
    },
    {
      name: 'a rate over the window is refused: it counts per second, not events',
      query: 'sum(rate(x[{{.window}}]))',
      message: /write increase\(…\[\{\{window\}\}\]\) instead of rate/,
    },
    {
      name: 'a rate without placeholder is refused with the way to write it',
      query: 'sum(rate(x[5m]))',
      message:
        /has no \{\{window\}\} placeholder.*sum\(increase\(.*\[\{\{window\}\}\]\)\) instead of sum\(rate/,
    },
    {
      name: 'a max of a counter is refused: its increase is not a count of events',
      query: 'max(requests_total)',
      message: /has no \{\{window\}\} placeholder.*counters/,
    },
    {
      name: 'a selector of every series is refused',
      query: '{code=""}',
      message: /selects every series/,
    },
    {
      name: 'a regular expression that does not compile is refused',
      query: 'x{code=~"5(.."}',
      message: /regular expression that does not compile/,
    },
  ])('$name', ({ query, message }) => {
    const result = checkPromqlQuery(query);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });
});

describe('promqlForWindow', () => {
  it.each([
    {
      name: 'fills every placeholder with the range',
      query: 'sum(increase(x[{{window}}])) + sum(increase(y[{{ .Window }}]))',
      expected: 'sum(increase(x[1h])) + sum(increase(y[1h]))',
    },
    { name: 'counts a bare counter by its increase', query: 'x{a="b"}', expected: 'increase(x{a="b"}[1h])' },
    {
      name: 'puts increase inside a sum, so a reset of one series costs nothing',
      query: 'sum by (code) (x)',
      expected: 'sum by (code) (increase(x[1h]))',
    },
    {
      name: 'counts each side of a difference',
      query: 'sum(a) - sum(b)',
      expected: 'sum(increase(a[1h])) - sum(increase(b[1h]))',
    },
  ])('$name', ({ query, expected }) => {
    expect(promqlForWindow(query, '1h')).toBe(expected);
    expect(parsePromql(promqlForWindow(query, '1h'))).toMatchObject({ ok: true, type: 'vector' });
  });
});
