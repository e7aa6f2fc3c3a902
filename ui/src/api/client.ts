import type {
  Alert,
  KubernetesStatus,
  RawChange,
  Silence,
  SilenceState,
  Slo,
  SloStatus,
  SloStatusSummary,
  DeployCosts,
  Report,
  Timeseries,
  WorkloadsView,
  SensorStatusView,
} from './types.js';

/** What a read gave: the value, "this server has no such thing" (404), or an error to show. */
export type Result<T> = { ok: true; value: T } | { ok: false; notFound: boolean; message: string };

async function getJson<T>(path: string, signal?: AbortSignal): Promise<Result<T>> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    return { ok: false, notFound: false, message: `Burnwatch did not answer (${(error as Error).message})` };
  }
  if (response.ok) return { ok: true, value: (await response.json()) as T };
  return { ok: false, notFound: response.status === 404, message: await errorMessage(response) };
}

/** What a write gave: the value, or every problem the server listed by field. */
export type WriteResult<T> =
  { ok: true; value: T } | { ok: false; status: number; errors: { field: string; message: string }[] };

async function send<T>(method: string, path: string, body: unknown, token: string): Promise<WriteResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token.trim()) headers.authorization = `Bearer ${token.trim()}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    return {
      ok: false,
      status: 0,
      errors: [{ field: '(request)', message: `Burnwatch did not answer (${(error as Error).message})` }],
    };
  }
  if (response.ok) return { ok: true, value: (await response.json()) as T };
  try {
    const answer = (await response.json()) as { errors?: { field: string; message: string }[] };
    if (answer.errors?.length) return { ok: false, status: response.status, errors: answer.errors };
  } catch {
    // Not JSON: the status line below.
  }
  return {
    ok: false,
    status: response.status,
    errors: [{ field: '(request)', message: `HTTP ${response.status} ${response.statusText}` }],
  };
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { errors?: { field: string; message: string }[] };
    const first = body.errors?.[0];
    if (first) return `${first.field} ${first.message}`;
  } catch {
    // Not JSON: fall back to the status line.
  }
  return `HTTP ${response.status} ${response.statusText}`;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const enc = encodeURIComponent;

export const api = {
  /** Every SLO, following the pages of the list. */
  async slos(signal?: AbortSignal): Promise<Result<{ items: Slo[] }>> {
    const items: Slo[] = [];
    let cursor: string | null = null;
    do {
      const page: Result<{ items: Slo[]; nextCursor?: string | null }> = await getJson(
        `/api/v1/slos${query({ limit: 500, cursor: cursor ?? undefined })}`,
        signal,
      );
      if (!page.ok) return page;
      items.push(...page.value.items);
      cursor = page.value.nextCursor ?? null;
    } while (cursor);
    return { ok: true, value: { items } };
  },
  report: (params: { period: string; team?: string; timeZone?: string }, signal?: AbortSignal) =>
    getJson<Report>(`/api/v1/reports${query(params)}`, signal),
  deploys: (name: string, signal?: AbortSignal) =>
    getJson<DeployCosts>(`/api/v1/slos/${enc(name)}/deploys`, signal),
  slo: (name: string, signal?: AbortSignal) => getJson<Slo>(`/api/v1/slos/${enc(name)}`, signal),
  /** What the SLO list shows of every SLO's status (about half the full statuses' bytes). */
  statuses: (signal?: AbortSignal) =>
    getJson<{ items: SloStatusSummary[] }>('/api/v1/slo-statuses?view=summary', signal),
  status: (name: string, signal?: AbortSignal) =>
    getJson<SloStatus>(`/api/v1/slos/${enc(name)}/status`, signal),
  timeseries: (name: string, from: number, to: number, step: number, signal?: AbortSignal) =>
    getJson<Timeseries>(`/api/v1/slos/${enc(name)}/timeseries${query({ from, to, step })}`, signal),
  alerts: (params: { slo?: string; state?: 'firing' | 'resolved'; limit?: number }, signal?: AbortSignal) =>
    getJson<{ items: Alert[] }>(`/api/v1/alerts${query(params)}`, signal),
  changes: (
    params: { namespace?: string; workload: string; from: number; to: number },
    signal?: AbortSignal,
  ) =>
    getJson<{ items: RawChange[] }>(
      `/api/v1/changes${query({
        limit: 500,
        ...params,
        from: new Date(params.from * 1000).toISOString(),
        to: new Date(params.to * 1000).toISOString(),
      })}`,
      signal,
    ),
  silences: (params: { state?: SilenceState; limit?: number }, signal?: AbortSignal) =>
    getJson<{ items: Silence[] }>(`/api/v1/silences${query(params)}`, signal),
  createSilence: (body: Record<string, unknown>, token: string) =>
    send<Silence>('POST', '/api/v1/silences', body, token),
  expireSilence: (id: string, token: string) =>
    send<Silence>('DELETE', `/api/v1/silences/${enc(id)}`, undefined, token),
  workloads: (signal?: AbortSignal) => getJson<WorkloadsView>('/api/v1/workloads', signal),
  sensor: (signal?: AbortSignal) => getJson<SensorStatusView>('/api/v1/sensor', signal),
  createSlo: (body: Record<string, unknown>, token: string) => send<Slo>('POST', '/api/v1/slos', body, token),
  kubernetes: (signal?: AbortSignal) => getJson<KubernetesStatus>('/api/v1/kubernetes/status', signal),
  async openslo(name: string, signal?: AbortSignal): Promise<Result<string>> {
    try {
      const response = await fetch(`/api/v1/slos/${enc(name)}/openslo`, { signal });
      if (response.ok) return { ok: true, value: await response.text() };
      return { ok: false, notFound: response.status === 404, message: await errorMessage(response) };
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      return { ok: false, notFound: false, message: (error as Error).message };
    }
  },
};
