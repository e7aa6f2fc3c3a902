import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { useApiToken } from '../api/token.js';
import type { MatcherName, Silence } from '../api/types.js';
import { EmptyState, ErrorNote } from '../components/bits.js';
import { formatTime } from '../lib/format.js';
import {
  LENGTHS,
  MATCHER_NAMES,
  MatcherOperator,
  OPERATORS,
  SilenceForm,
  describeMatchers,
  fieldLabel,
  silenceBody,
} from '../lib/silences.js';
import { useRefresh } from '../navigation.js';

const REFRESH_SECONDS = 30;
const STATE_LABELS = { active: 'Active', pending: 'Pending', expired: 'Expired' } as const;

type FieldErrors = { field: string; message: string }[];

/** `/silences?slo=checkout` starts the form with a matcher on that SLO (the alerts page links here). */
export function SilencesPage({ search }: { search: string }) {
  const [silences, setSilences] = useState<Silence[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [token, rememberToken] = useApiToken();
  const [expireErrors, setExpireErrors] = useState<FieldErrors>([]);
  const [reload, setReload] = useState(0);

  useRefresh(
    async (signal) => {
      const result = await api.silences({ limit: 200 }, signal);
      if (result.ok) {
        setSilences(result.value.items);
        setError(null);
      } else setError(`Could not load the silences: ${result.message}`);
    },
    REFRESH_SECONDS,
    [reload],
  );

  const expire = async (id: string) => {
    const result = await api.expireSilence(id, token);
    setExpireErrors(result.ok ? [] : result.errors);
    if (result.ok) setReload((n) => n + 1);
  };

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Silences</h1>
        <p class="muted">
          A silence holds the Slack notifications of matching alerts; they are still evaluated and shown. When
          it ends while an alert still fires, its current state is told once.
        </p>
      </div>
      <CreateSilence
        initialSlo={new URLSearchParams(search).get('slo') ?? ''}
        token={token}
        onToken={rememberToken}
        onCreated={() => setReload((n) => n + 1)}
      />
      <section aria-labelledby="silences-title">
        <h2 id="silences-title">Silences</h2>
        {error && <ErrorNote message={error} />}
        {expireErrors.length > 0 && <FieldErrorList errors={expireErrors} />}
        {silences === null ? (
          !error && <p aria-busy="true">Loading…</p>
        ) : silences.length === 0 ? (
          <EmptyState title="No silences" headingLevel={3}>
            <p>Create one above, or with POST /api/v1/silences (Alertmanager's shape).</p>
          </EmptyState>
        ) : (
          <SilenceTable silences={silences} onExpire={expire} />
        )}
      </section>
    </>
  );
}

function SilenceTable({ silences, onExpire }: { silences: Silence[]; onExpire: (id: string) => void }) {
  return (
    <div class="table-wrap">
      <table class="silence-table">
        <caption class="visually-hidden">Silences: active, then pending, then expired</caption>
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Matchers</th>
            <th scope="col">Starts</th>
            <th scope="col">Ends</th>
            <th scope="col">Created by</th>
            <th scope="col">Comment</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {silences.map((s) => (
            <tr key={s.id} data-silence={s.id}>
              <td>
                <span class={`badge silence-${s.status.state}`}>{STATE_LABELS[s.status.state]}</span>
              </td>
              <th scope="row">
                <code>{describeMatchers(s.matchers)}</code>
              </th>
              <td>{formatTime(s.startsAt)}</td>
              <td>{s.endsAt === null ? 'when the alert resolves' : formatTime(s.endsAt)}</td>
              <td>{s.createdBy}</td>
              <td>{s.comment}</td>
              <td>
                {s.status.state !== 'expired' && (
                  <button type="button" onClick={() => onExpire(s.id)}>
                    Expire<span class="visually-hidden"> the silence {describeMatchers(s.matchers)}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CreateSilence(props: {
  initialSlo: string;
  token: string;
  onToken: (token: string) => void;
  onCreated: () => void;
}) {
  const empty = (): SilenceForm => ({
    matchers: [{ name: 'slo', operator: '=', value: props.initialSlo }],
    length: 3600,
    createdBy: '',
    comment: '',
  });
  const [form, setForm] = useState<SilenceForm>(empty);
  const [errors, setErrors] = useState<FieldErrors>([]);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  const setMatcher = (index: number, patch: Partial<SilenceForm['matchers'][number]>) =>
    setForm({ ...form, matchers: form.matchers.map((m, i) => (i === index ? { ...m, ...patch } : m)) });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await api.createSilence(silenceBody(form, new Date()), props.token);
    setBusy(false);
    if (!result.ok) {
      setErrors(result.errors);
      setCreated(null);
      return;
    }
    setErrors([]);
    setCreated(`Silence created: ${describeMatchers(result.value.matchers)}`);
    setForm(empty());
    props.onCreated();
  };

  return (
    <section aria-labelledby="create-title">
      <h2 id="create-title">New silence</h2>
      <form
        class="silence-form"
        onSubmit={submit}
        aria-describedby={errors.length ? 'silence-errors' : undefined}
      >
        <fieldset>
          <legend>Matchers (all must match)</legend>
          {form.matchers.map((m, i) => (
            <div class="matcher-row" key={i}>
              <label>
                Label
                <select
                  value={m.name}
                  onChange={(e) =>
                    setMatcher(i, { name: (e.target as HTMLSelectElement).value as MatcherName })
                  }
                >
                  {MATCHER_NAMES.map((name) => (
                    <option value={name}>{name}</option>
                  ))}
                </select>
              </label>
              <label>
                Operator
                <select
                  value={m.operator}
                  onChange={(e) =>
                    setMatcher(i, { operator: (e.target as HTMLSelectElement).value as MatcherOperator })
                  }
                >
                  {OPERATORS.map((op) => (
                    <option value={op}>{op}</option>
                  ))}
                </select>
              </label>
              <label>
                Value
                <input
                  type="text"
                  value={m.value}
                  onInput={(e) => setMatcher(i, { value: (e.target as HTMLInputElement).value })}
                />
              </label>
              {form.matchers.length > 1 && (
                <button
                  type="button"
                  class="link-button"
                  onClick={() => setForm({ ...form, matchers: form.matchers.filter((_, j) => j !== i) })}
                >
                  Remove<span class="visually-hidden"> matcher {i + 1}</span>
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            class="link-button"
            onClick={() =>
              setForm({ ...form, matchers: [...form.matchers, { name: 'team', operator: '=', value: '' }] })
            }
          >
            Add a matcher
          </button>
        </fieldset>
        <div class="form-row">
          <label>
            For
            <select
              value={String(form.length)}
              onChange={(e) => {
                const value = (e.target as HTMLSelectElement).value;
                setForm({ ...form, length: value === 'untilResolved' ? value : Number(value) });
              }}
            >
              {LENGTHS.map((l) => (
                <option value={String(l.value)}>{l.label}</option>
              ))}
            </select>
          </label>
          <label>
            Created by
            <input
              type="text"
              value={form.createdBy}
              placeholder="api"
              onInput={(e) => setForm({ ...form, createdBy: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label class="grow">
            Comment
            <input
              type="text"
              value={form.comment}
              required
              onInput={(e) => setForm({ ...form, comment: (e.target as HTMLInputElement).value })}
            />
          </label>
        </div>
        <div class="form-row">
          <label>
            API token (when the server has one)
            <input
              type="password"
              autocomplete="off"
              value={props.token}
              onInput={(e) => props.onToken((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            Create silence
          </button>
        </div>
        {errors.length > 0 && <FieldErrorList errors={errors} id="silence-errors" />}
        {created && (
          <p class="notice" role="status">
            {created}
          </p>
        )}
      </form>
    </section>
  );
}

function FieldErrorList({ errors, id }: { errors: FieldErrors; id?: string }) {
  return (
    <div class="error-note" role="alert" id={id}>
      <ul class="plain">
        {errors.map((e) => (
          <li>
            <strong>{fieldLabel(e.field)}</strong> {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
