import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.js';

describe('parsePrometheusText', () => {
  it('reads samples with labels, comments and +Inf', () => {
    const text = [
      '# HELP http_server_request_duration_seconds Duration',
      '# TYPE http_server_request_duration_seconds histogram',
      'http_server_request_duration_seconds_bucket{service_name="api",le="0.1"} 3',
      'http_server_request_duration_seconds_bucket{service_name="api",le="+Inf"} 5',
      'http_server_request_duration_seconds_count{service_name="api"} 5 1700000000000',
      'process_cpu_seconds_total 1.5',
    ].join('\n');
    expect(parsePrometheusText(text).samples).toEqual([
      {
        name: 'http_server_request_duration_seconds_bucket',
        labels: { service_name: 'api', le: '0.1' },
        value: 3,
      },
      {
        name: 'http_server_request_duration_seconds_bucket',
        labels: { service_name: 'api', le: '+Inf' },
        value: 5,
      },
      { name: 'http_server_request_duration_seconds_count', labels: { service_name: 'api' }, value: 5 },
      { name: 'process_cpu_seconds_total', labels: {}, value: 1.5 },
    ]);
  });

  it('unescapes quotes, backslashes and newlines and keeps commas inside values', () => {
    const { samples } = parsePrometheusText('m{route="/a,b",q="say \\"hi\\"",p="c:\\\\x",n="1\\n2"} 1');
    expect(samples[0]!.labels).toEqual({ route: '/a,b', q: 'say "hi"', p: 'c:\\x', n: '1\n2' });
  });

  it('counts malformed lines instead of failing', () => {
    const { samples, malformedLines } = parsePrometheusText(
      'good 1\n{bad} 2\nm{a="1" 3\nm{a="1"} notanumber\nok{a="x"} 4',
    );
    expect(samples.map((s) => s.name)).toEqual(['good', 'ok']);
    expect(malformedLines).toBe(3);
  });

  it('keeps only the metrics asked for', () => {
    const { samples } = parsePrometheusText('a 1\nb 2\nc 3', (name) => name !== 'b');
    expect(samples.map((s) => s.name)).toEqual(['a', 'c']);
  });
});
