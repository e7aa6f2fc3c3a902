import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { useApiToken } from '../api/token.js';
import type { WorkloadsView } from '../api/types.js';
import { useRefresh } from '../navigation.js';
import { Code, EmptyState } from './bits.js';
import { Link } from './Link.js';
import { WorkloadCards } from './Workloads.js';

/** Shown where the user can act: the API's address as the page sees it. */
const origin = () => location.origin;

export const CURL_EXAMPLE = (base: string) => `curl -X POST ${base}/api/v1/slos \\
  -H 'content-type: application/json' \\
  -H "authorization: Bearer $BURNWATCH_API_TOKEN" \\
  -d '{
    "name": "checkout-latency", "description": "Checkout answers fast", "team": "payments",
    "service": { "namespace": "shop", "workload": "checkout", "route": "/api/checkout", "method": "POST" },
    "indicator": { "type": "latency", "thresholdMs": 300 },
    "objective": 95, "window": "28d", "notify": { "slackChannel": "#payments-oncall" } }'`;

export const OPENSLO_EXAMPLE = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-errors
  labels:
    team: payments
spec:
  description: Checkout rarely fails
  service: checkout
  indicator:
    metadata:
      name: checkout-errors-sli
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: burnwatch
            spec: { namespace: shop, workload: checkout, errorStatus: 5xx }
        total:
          metricSource:
            type: burnwatch
            spec: { namespace: shop, workload: checkout }
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999`;

export const OPENSLO_CURL = (base: string) => `curl -X POST ${base}/api/v1/openslo \\
  -H 'content-type: application/yaml' \\
  -H "authorization: Bearer $BURNWATCH_API_TOKEN" \\
  --data-binary @checkout-errors.yaml`;

/** The first SLO: from a workload the sensor already reports, or by hand with the API or an OpenSLO file. */
export function NoSlosYet({ onCreated }: { onCreated?: () => void }) {
  return (
    <EmptyState title="No SLOs yet">
      <p>
        An SLO says what "good" means for one workload, for example "95 % of checkout requests answer within
        300 ms over 28 days".
      </p>
      <ObservedWorkloads onCreated={onCreated} />
      <p>
        Or create one with the API, and it shows here with its error budget as soon as the sensor reports
        requests for that workload. (Leave out the authorization header when <code>BURNWATCH_API_TOKEN</code>{' '}
        is not set.)
      </p>
      <h3>With curl</h3>
      <Code label="curl command that creates an SLO">{CURL_EXAMPLE(origin())}</Code>
      <h3>Or from an OpenSLO file</h3>
      <p>
        Save this as <code>checkout-errors.yaml</code>:
      </p>
      <Code label="OpenSLO example">{OPENSLO_EXAMPLE}</Code>
      <p>and send it:</p>
      <Code label="curl command that imports the OpenSLO file">{OPENSLO_CURL(origin())}</Code>
      <p>
        Every field is described in the <a href="/api/docs">API documentation</a>.
      </p>
    </EmptyState>
  );
}

/** The workloads the sensor reports, each with a "Create SLO" form; nothing while none is reported. */
function ObservedWorkloads({ onCreated }: { onCreated?: () => void }) {
  const [view, setView] = useState<WorkloadsView | null>(null);
  const [token, setToken] = useApiToken();
  useRefresh(
    async (signal) => {
      const result = await api.workloads(signal);
      if (result.ok) setView(result.value);
    },
    30,
    [],
  );
  if (view === null) return null;
  if (view.items.length === 0) {
    return (
      <p>
        The sensor has reported no workload in the last hour; once it does, they show here and on the{' '}
        <Link href="/workloads">workloads page</Link>, ready to start an SLO from.
      </p>
    );
  }
  return (
    <section aria-labelledby="observed-title">
      <h3 id="observed-title">Start from what the sensor sees</h3>
      <p>
        The sensor reported{' '}
        {view.items.length === 1 ? 'this workload' : `these ${view.items.length} workloads`} in the last hour.
        Each form starts from what was observed.
      </p>
      <WorkloadCards
        workloads={view.items}
        headingLevel={4}
        token={token}
        onToken={setToken}
        onCreated={() => onCreated?.()}
      />
    </section>
  );
}
