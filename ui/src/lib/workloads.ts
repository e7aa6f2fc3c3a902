import type { SuggestedSlo, Workload } from '../api/types.js';

/** "shop/checkout" in Kubernetes, "nginx" outside it. */
export function workloadLabel(workload: Pick<Workload, 'namespace' | 'workload'>): string {
  return workload.namespace === null ? workload.workload : `${workload.namespace}/${workload.workload}`;
}

export type SloKind = 'errorRate' | 'latency';

/** The "Create SLO" form as typed: text, checked by the server. */
export interface SloForm {
  kind: SloKind;
  name: string;
  description: string;
  /** "METHOD /route", or '' for every route. */
  route: string;
  thresholdMs: string;
  objective: string;
  window: string;
  team: string;
}

/** The form prefilled from the server's suggestion of this kind (errors at 99.9 %, latency near the P99). */
export function formFor(workload: Pick<Workload, 'suggestedSlos'>, kind: SloKind): SloForm {
  const suggestion: SuggestedSlo | undefined = workload.suggestedSlos.find((s) => s.indicator.type === kind);
  const threshold = suggestion?.indicator.type === 'latency' ? suggestion.indicator.thresholdMs : 300;
  return {
    kind,
    name: suggestion?.name ?? '',
    description: suggestion?.description ?? '',
    route: '',
    thresholdMs: String(threshold),
    objective: String(suggestion?.objective ?? (kind === 'latency' ? 99 : 99.9)),
    window: suggestion?.window ?? '30d',
    team: '',
  };
}

/** Switching kind keeps what the user chose (route, window, team) and takes the other kind's suggestion for the rest. */
export function switchKind(workload: Pick<Workload, 'suggestedSlos'>, form: SloForm, kind: SloKind): SloForm {
  const fresh = formFor(workload, kind);
  return { ...fresh, route: form.route, window: form.window, team: form.team };
}

/** The POST /api/v1/slos body; numbers left as typed when they are not numbers, so the server names the field. */
export function sloBody(
  workload: Pick<Workload, 'namespace' | 'workload'>,
  form: SloForm,
): Record<string, unknown> {
  const [method, route] = form.route === '' ? [undefined, undefined] : splitRoute(form.route);
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    description: form.description,
    service: {
      ...(workload.namespace !== null && { namespace: workload.namespace }),
      workload: workload.workload,
      ...(route !== undefined && { route }),
      ...(method !== undefined && method !== '' && { method }),
    },
    indicator:
      form.kind === 'latency'
        ? { type: 'latency', thresholdMs: numberOrText(form.thresholdMs) }
        : { type: 'errorRate', errorStatus: '5xx' },
    objective: numberOrText(form.objective),
    window: form.window.trim(),
  };
  if (form.team.trim()) body.team = form.team.trim();
  return body;
}

/** "GET /api/cart" → ["GET", "/api/cart"]. */
export function routeValue(method: string, route: string): string {
  return `${method} ${route}`;
}

function splitRoute(value: string): [string, string] {
  const space = value.indexOf(' ');
  return [value.slice(0, space), value.slice(space + 1)];
}

function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  const value = Number(trimmed);
  return trimmed !== '' && Number.isFinite(value) ? value : trimmed;
}

/** A form field's label for an API field name, so that a 400 says what to fix. */
export function sloFieldLabel(field: string): string {
  const names: Record<string, string> = {
    name: 'Name',
    description: 'Description',
    team: 'Team',
    objective: 'Objective',
    window: 'Window',
    'indicator.thresholdMs': 'Threshold',
    'service.route': 'Route',
    'service.method': 'Route',
    Authorization: 'API token',
  };
  return names[field] ?? field;
}

/** The form field an API error belongs to (for aria-invalid), or undefined. */
export function formFieldOf(field: string): keyof SloForm | 'token' | undefined {
  const fields: Record<string, keyof SloForm | 'token'> = {
    name: 'name',
    description: 'description',
    team: 'team',
    objective: 'objective',
    window: 'window',
    'indicator.thresholdMs': 'thresholdMs',
    'service.route': 'route',
    'service.method': 'route',
    Authorization: 'token',
  };
  return fields[field];
}
