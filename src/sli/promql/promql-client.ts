/** A minimal client of the Prometheus HTTP API (Prometheus, VictoriaMetrics, Thanos, Mimir all serve it). */
export class PromqlClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** An instant query that must yield one number (the sum of a vector); null when the vector is empty. */
  async scalar(query: string, at: Date): Promise<number | null> {
    const url = new URL('/api/v1/query', this.baseUrl);
    const body = new URLSearchParams({ query, time: String(at.getTime() / 1000) });
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const payload = (await response.json().catch(() => undefined)) as
      { status: string; error?: string; data?: { resultType: string; result: unknown } } | undefined;
    if (!response.ok || payload?.status !== 'success') {
      throw new Error(
        `PromQL query failed (HTTP ${response.status}): ${payload?.error ?? 'no answer'} — ${query}`,
      );
    }
    const { resultType, result } = payload.data!;
    if (resultType === 'scalar') return Number((result as [number, string])[1]);
    const vector = result as { value: [number, string] }[];
    if (vector.length === 0) return null;
    return vector.reduce((sum, sample) => sum + Number(sample.value[1]), 0);
  }
}
