import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Slo, Workload } from '../api/types.js';
import { NONE, formatPercent, formatTime, shortDigest, shortImage, trimNumber } from '../lib/format.js';
import {
  SloForm,
  SloKind,
  formFieldOf,
  formFor,
  routeValue,
  sloBody,
  sloFieldLabel,
  switchKind,
  workloadLabel,
} from '../lib/workloads.js';
import { sloPath } from '../router.js';
import { Link } from './Link.js';

type FieldErrors = { field: string; message: string }[];

const formatRate = (perMinute: number) => `${trimNumber(perMinute, perMinute >= 10 ? 0 : 1)}/min`;
const formatMs = (ms: number | null) => (ms === null ? NONE : `≈ ${trimNumber(ms, ms >= 10 ? 0 : 1)} ms`);

/** One card per observed workload: what the sensor saw, the SLOs on it, and a "Create SLO" form. */
export function WorkloadCards(props: {
  workloads: Workload[];
  headingLevel: 2 | 3 | 4;
  token: string;
  onToken: (token: string) => void;
  onCreated: (slo: Slo) => void;
}) {
  return (
    <ul class="plain workload-list">
      {props.workloads.map((w) => (
        <li key={workloadLabel(w)}>
          <WorkloadCard {...props} workload={w} />
        </li>
      ))}
    </ul>
  );
}

function WorkloadCard(props: {
  workload: Workload;
  headingLevel: 2 | 3 | 4;
  token: string;
  onToken: (token: string) => void;
  onCreated: (slo: Slo) => void;
}) {
  const w = props.workload;
  const label = workloadLabel(w);
  const id = `workload-${label.replace(/[^a-zA-Z0-9-]/g, '-')}`;
  const Heading = `h${props.headingLevel}` as const;
  const Sub = `h${(props.headingLevel + 1) as 3 | 4 | 5}` as const;
  const [open, setOpen] = useState(false);
  return (
    <article class="workload" aria-labelledby={`${id}-title`} data-workload={label}>
      <Heading id={`${id}-title`}>
        {label} {w.kind && <span class="muted small">{w.kind}</span>}
      </Heading>
      <dl class="stats">
        <div>
          <dt>Requests</dt>
          <dd>{formatRate(w.requestsPerMinute)}</dd>
        </div>
        <div>
          <dt>5xx share</dt>
          <dd>{formatPercent(w.errorPercent, 2)}</dd>
        </div>
        <div>
          <dt>P95 latency</dt>
          <dd>{formatMs(w.latency.p95Ms)}</dd>
        </div>
        <div>
          <dt>Last request</dt>
          <dd>{formatTime(w.lastSeenAt)}</dd>
        </div>
      </dl>
      <div class="table-wrap">
        <table class="route-table">
          <caption class="visually-hidden">Routes of {label} over the last five minutes</caption>
          <thead>
            <tr>
              <th scope="col">Route</th>
              <th scope="col">Requests</th>
              <th scope="col">5xx share</th>
              <th scope="col">P95</th>
            </tr>
          </thead>
          <tbody>
            {w.routes.map((r) => (
              <tr key={routeValue(r.method, r.route)}>
                <th scope="row">
                  <code>
                    {r.method} {r.route}
                  </code>
                </th>
                <td>{formatRate(r.requestsPerMinute)}</td>
                <td>{formatPercent(r.errorPercent, 2)}</td>
                <td>{formatMs(r.latency.p95Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {w.images.length > 0 && (
        <p class="small">
          Images:{' '}
          {w.images.map((image, i) => (
            <>
              {i > 0 && ', '}
              <code title={image.digest}>
                {image.name ? `${shortImage(image.name)}@` : ''}
                {shortDigest(image.digest)}
              </code>{' '}
              <span class="muted">(last {formatTime(image.lastSeenAt)})</span>
            </>
          ))}
        </p>
      )}
      <p class="small">
        SLOs:{' '}
        {w.slos.length === 0 ? (
          <span class="muted">none yet</span>
        ) : (
          w.slos.map((slo, i) => (
            <>
              {i > 0 && ', '}
              <Link href={sloPath(slo.name)}>{slo.name}</Link>
            </>
          ))
        )}
      </p>
      <button type="button" aria-expanded={open} aria-controls={`${id}-form`} onClick={() => setOpen(!open)}>
        Create SLO<span class="visually-hidden"> for {label}</span>
      </button>
      {open && (
        <CreateSloForm
          id={`${id}-form`}
          headingLevel={Sub}
          workload={w}
          token={props.token}
          onToken={props.onToken}
          onCreated={props.onCreated}
        />
      )}
    </article>
  );
}

function CreateSloForm(props: {
  id: string;
  headingLevel: 'h3' | 'h4' | 'h5';
  workload: Workload;
  token: string;
  onToken: (token: string) => void;
  onCreated: (slo: Slo) => void;
}) {
  const w = props.workload;
  const label = workloadLabel(w);
  const [form, setForm] = useState<SloForm>(() => formFor(w, 'errorRate'));
  const [errors, setErrors] = useState<FieldErrors>([]);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Slo | null>(null);
  const Heading = props.headingLevel;
  const field = (name: keyof SloForm | 'token') => `${props.id}-${name}`;
  const invalid = (name: keyof SloForm | 'token') =>
    errors.some((e) => formFieldOf(e.field) === name) ? { 'aria-invalid': true as const } : {};
  const set = (patch: Partial<SloForm>) => setForm({ ...form, ...patch });
  const text = (name: keyof SloForm) => ({
    id: field(name),
    value: form[name],
    onInput: (e: Event) => set({ [name]: (e.target as HTMLInputElement).value }),
    ...invalid(name),
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await api.createSlo(sloBody(w, form), props.token);
    setBusy(false);
    if (!result.ok) {
      setErrors(result.errors);
      setCreated(null);
      return;
    }
    setErrors([]);
    setCreated(result.value);
    props.onCreated(result.value);
  };

  const latencySuggestion = w.suggestedSlos.find((s) => s.indicator.type === 'latency');
  return (
    <form
      id={props.id}
      class="slo-form"
      aria-labelledby={`${props.id}-title`}
      aria-describedby={errors.length ? `${props.id}-errors` : undefined}
      onSubmit={submit}
    >
      <Heading id={`${props.id}-title`}>New SLO for {label}</Heading>
      <div class="form-row">
        <label for={field('kind')}>
          Indicator
          <select
            id={field('kind')}
            value={form.kind}
            onChange={(e) => setForm(switchKind(w, form, (e.target as HTMLSelectElement).value as SloKind))}
          >
            <option value="errorRate">Errors (5xx answers)</option>
            <option value="latency">Latency</option>
          </select>
        </label>
        {form.kind === 'latency' && (
          <label for={field('thresholdMs')}>
            Threshold (ms)
            <input type="text" inputMode="decimal" {...text('thresholdMs')} />
          </label>
        )}
        <label for={field('objective')}>
          Objective (%)
          <input type="text" inputMode="decimal" {...text('objective')} />
        </label>
        <label for={field('window')}>
          Window
          <input type="text" {...text('window')} />
        </label>
        <label for={field('route')}>
          Route
          <select
            id={field('route')}
            value={form.route}
            onChange={(e) => set({ route: (e.target as HTMLSelectElement).value })}
            {...invalid('route')}
          >
            <option value="">Every route</option>
            {w.routes.map((r) => (
              <option value={routeValue(r.method, r.route)}>
                {r.method} {r.route}
              </option>
            ))}
          </select>
        </label>
      </div>
      {form.kind === 'latency' && latencySuggestion && (
        <p class="muted small">
          Suggested from the last hour: the histogram bucket bound at or above the observed P99.
        </p>
      )}
      <div class="form-row">
        <label for={field('name')}>
          Name
          <input type="text" {...text('name')} />
        </label>
        <label for={field('team')}>
          Team (optional)
          <input type="text" {...text('team')} />
        </label>
        <label class="grow" for={field('description')}>
          Description
          <input type="text" {...text('description')} />
        </label>
      </div>
      <div class="form-row">
        <label for={field('token')}>
          API token (when the server has one)
          <input
            id={field('token')}
            type="password"
            autocomplete="off"
            value={props.token}
            onInput={(e) => props.onToken((e.target as HTMLInputElement).value)}
            {...invalid('token')}
          />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Create SLO
        </button>
      </div>
      {errors.length > 0 && (
        <div class="error-note" role="alert" id={`${props.id}-errors`}>
          <ul class="plain">
            {errors.map((e) => (
              <li>
                <strong>{sloFieldLabel(e.field)}</strong> {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {created && (
        <p class="notice" role="status">
          SLO created: <Link href={sloPath(created.name)}>{created.name}</Link>
        </p>
      )}
    </form>
  );
}
