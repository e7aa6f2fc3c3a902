/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?\s*$/;

/**
 * Parses the Prometheus text format (version 0.0.4), keeping only samples whose metric name passes `keep`.
 * Malformed lines are counted and skipped, never thrown: one bad sensor line must not stop a scrape.
 */
export function parsePrometheusText(
  text: string,
  keep: (name: string) => boolean = () => true,
): { samples: Sample[]; malformedLines: number } {
  const samples: Sample[] = [];
  let malformedLines = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) {
      malformedLines++;
      continue;
    }
    const name = match[1]!;
    if (!keep(name)) continue;
    const labels = match[3] === undefined ? {} : parseLabels(match[3]);
    const value = parseValue(match[4]!);
    if (labels === undefined || value === undefined) {
      malformedLines++;
      continue;
    }
    samples.push({ name, labels, value });
  }
  return { samples, malformedLines };
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** Label values may hold escaped quotes, backslashes and newlines, and commas inside quotes. */
function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (i >= text.length) break;
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!nameMatch) return undefined;
    const name = nameMatch[0];
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=') return undefined;
    i++;
    while (text[i] === ' ') i++;
    if (text[i] !== '"') return undefined;
    i++;
    let value = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += text[i];
        i++;
      }
    }
    if (text[i] !== '"') return undefined;
    i++;
    labels[name] = value;
  }
  return labels;
}
