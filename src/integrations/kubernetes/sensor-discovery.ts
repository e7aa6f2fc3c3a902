import type { KubernetesObject } from '@kubernetes/client-node';

export interface SensorSelector {
  /** Label key=value pairs a sensor pod carries, e.g. app.kubernetes.io/name=burnwatch-sensor. */
  labels: Record<string, string>;
  port: number;
}

/** "a=b,c=d" → { a: "b", c: "d" }; throws with a reason on anything else. */
export function parseLabelSelector(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9./_-]+)=([A-Za-z0-9._-]*)$/.exec(part);
    if (!match) throw new Error(`must be label=value pairs separated by commas, got "${part}"`);
    labels[match[1]!] = match[2]!;
  }
  if (Object.keys(labels).length === 0) throw new Error('must name at least one label=value');
  return labels;
}

type Pod = KubernetesObject & {
  status?: { phase?: string; podIP?: string };
  metadata?: { labels?: Record<string, string> };
};

/** The /metrics URLs of the running sensor pods (the DaemonSet's), sorted. */
export function sensorTargets(pods: readonly KubernetesObject[], selector: SensorSelector): string[] {
  const targets = new Set<string>();
  for (const pod of pods as Pod[]) {
    const labels = pod.metadata?.labels ?? {};
    if (!Object.entries(selector.labels).every(([key, value]) => labels[key] === value)) continue;
    const ip = pod.status?.podIP;
    if (pod.status?.phase !== 'Running' || !ip) continue;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    targets.add(`http://${host}:${selector.port}/metrics`);
  }
  return [...targets].sort();
}
