/**
 * The Kubernetes correlation attached to an alert, as far as Slack messages need it. The correlation is written by
 * another part of Burnwatch and stored as JSON, so it is read defensively: whatever is missing is left out.
 */
export interface Suspect {
  kind: string;
  workload?: string;
  namespace?: string;
  image?: string;
  digest?: string;
  at?: string;
  minutesBeforeBurn?: number;
  score?: number;
}

export interface ClusterEvent {
  reason: string;
  object?: string;
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
  message?: string;
}

export interface ImageComparison {
  digest: string;
  errorPercent?: number;
  sliPercent?: number;
  total?: number;
}

export interface Correlation {
  suspects: Suspect[];
  events: ClusterEvent[];
  imageComparison: ImageComparison[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;
const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** Reads what is usable from a stored correlation; null when there is nothing to show. */
export function readCorrelation(raw: unknown): Correlation | null {
  if (!isObject(raw)) return null;
  const suspects = list(raw.suspects).map((s): Suspect => ({
    kind: text(s.kind) ?? 'change',
    workload: text(s.workload),
    namespace: text(s.namespace),
    image: text(s.image),
    digest: text(s.digest),
    at: text(s.at),
    minutesBeforeBurn: number(s.minutesBeforeBurn),
    score: number(s.score),
  }));
  const events = list(raw.events).flatMap((e): ClusterEvent[] => {
    const reason = text(e.reason);
    if (!reason) return [];
    return [
      {
        reason,
        object: text(e.object),
        count: number(e.count),
        firstSeen: text(e.firstSeen),
        lastSeen: text(e.lastSeen),
        message: text(e.message),
      },
    ];
  });
  const imageComparison = list(raw.imageComparison).flatMap((c): ImageComparison[] => {
    const digest = text(c.digest);
    if (!digest) return [];
    return [
      {
        digest,
        errorPercent: number(c.errorPercent),
        sliPercent: number(c.sliPercent),
        total: number(c.total),
      },
    ];
  });
  if (suspects.length + events.length + imageComparison.length === 0) return null;
  return { suspects, events, imageComparison };
}

/** "sha256:3f9a…" → "3f9a1c2b7d4e": the first 12 hex digits, as `docker images` shows them. */
export function shortDigest(digest: string): string {
  const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
  return hex.slice(0, 12);
}
