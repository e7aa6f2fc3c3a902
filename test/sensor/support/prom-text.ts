/** A small parser for the Prometheus text format, enough to read the sensor's /metrics. */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePromText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly count: number;
  /** Cumulative count per upper bound, as exported ("0.005" … "+Inf"). */
  readonly buckets: ReadonlyMap<string, number>;
}

/** The series of histogram `name`, keyed by their labels (without le). */
export function histogramSeries(samples: Sample[], name: string): HistogramSeries[] {
  const byKey = new Map<
    string,
    { labels: Record<string, string>; count: number; buckets: Map<string, number> }
  >();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const s of samples) {
    if (!s.name.startsWith(name)) continue;
    const { le, ...rest } = s.labels;
    const key = keyOf(rest);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { labels: rest, count: 0, buckets: new Map() };
      byKey.set(key, entry);
    }
    if (s.name === `${name}_bucket` && le !== undefined) entry.buckets.set(le, s.value);
    if (s.name === `${name}_count`) entry.count = s.value;
  }
  return [...byKey.values()];
}
