/**
 * `kubectl apply -k deploy/` without a cluster: what kustomize renders is checked against the Kubernetes OpenAPI
 * schemas (kubernetes-models, the Prometheus Operator CRDs) and against itself — selectors that select, ports that
 * exist, secrets that are defined, the security context the README promises, an environment the service accepts,
 * probes the service started with that environment answers, and RBAC that is exactly what the watches use.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { POD_WATCH_PATH } from '../../sensor/kubernetes.js';
import { startBurnwatch } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { WATCH_PATHS } from '../../src/integrations/kubernetes/kubernetes-watchers.js';
import { JsonLogger } from '../../src/observability/json-logger.js';
import { KubeObject, renderKustomization, schemaProblems } from '../support/kubernetes-schema.js';

const repoRoot = new URL('../..', import.meta.url).pathname;
const renders = {
  base: renderKustomization('deploy'),
  withPostgres: renderKustomization('deploy/overlays/with-postgres'),
  prometheusOperator: renderKustomization('deploy/overlays/prometheus-operator'),
};

type Container = {
  name: string;
  image: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  ports?: { name?: string; containerPort: number }[];
  securityContext?: Record<string, any>;
  readinessProbe?: any;
  livenessProbe?: any;
  startupProbe?: any;
  resources?: any;
};
type PodTemplate = {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; serviceAccountName?: string; securityContext?: Record<string, any> };
};

const find = (objects: KubeObject[], kind: string, name: string): any => {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`${kind}/${name} is not rendered`);
  return object;
};
const podTemplates = (objects: KubeObject[]): PodTemplate[] =>
  objects
    .filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))
    .map((o: any) => o.spec.template);
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The variable names of the README's configuration table (a row may name two: `A` / `B`). */
function documentedVariables(): Set<string> {
  const readme = readFileSync(`${repoRoot}README.md`, 'utf8');
  const section = readme.split('\n## Configuration')[1]!.split('\n## ')[0]!;
  const names = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
  return new Set(names);
}

/** `ENV A=1 B=2` lines of a Dockerfile, as [name, value] pairs. */
const dockerfileEnv = (path: string): [string, string][] =>
  [...readFileSync(`${repoRoot}${path}`, 'utf8').matchAll(/^ENV (.+)$/gm)].flatMap((m) =>
    m[1]!.split(/\s+/).map((pair) => pair.split('=') as [string, string]),
  );

/** What a user puts in the Secrets, in the form each variable wants. */
const secretExamples: Record<string, string> = {
  url: 'postgres://burnwatch:secret@db.example:5432/burnwatch',
  'api-token': 'an-api-token-of-32-characters-xx',
  'slack-bot-token': 'xoxb-1234-5678-abcdefghijkl',
  'slack-signing-secret': '8f742231b10e8888abcd99yyyzzz85a5',
};

/** The service container's environment in the cluster: the image's ENV, then the Deployment's (secrets as examples). */
function serviceEnvironment(): Record<string, string> {
  const container = find(renders.base, 'Deployment', 'burnwatch').spec.template.spec
    .containers[0] as Container;
  const env: Record<string, string> = {};
  for (const [name, value] of dockerfileEnv('deploy/service.Dockerfile'))
    if (name !== 'NODE_ENV') env[name] = value;
  for (const variable of container.env!) {
    const key = variable.valueFrom?.secretKeyRef?.key;
    if (key !== undefined)
      expect(secretExamples, `an example value for secret key ${key}`).toHaveProperty([key]);
    env[variable.name] = variable.value ?? secretExamples[key!]!;
  }
  return env;
}

/** `/api/v1/pods` → core pods, `/apis/apps/v1/deployments` → apps deployments: what RBAC names a collection by. */
function rbacResource(path: string): { group: string; resource: string } {
  const core = path.match(/^\/api\/v1\/([a-z]+)$/);
  if (core) return { group: '', resource: core[1]! };
  const named = path.match(/^\/apis\/([a-z0-9.-]+)\/[a-z0-9]+\/([a-z]+)$/);
  if (!named) throw new Error(`not a cluster-wide collection path: ${path}`);
  return { group: named[1]!, resource: named[2]! };
}

/** Every group/resource/verb the ClusterRoles bound to a service account grant, as `group/resource:verb`. */
function grantedTo(objects: KubeObject[], serviceAccount: string): string[] {
  const roles = (objects as any[])
    .filter(
      (o) =>
        o.kind === 'ClusterRoleBinding' &&
        o.subjects.some(
          (s: any) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === 'burnwatch',
        ),
    )
    .map((binding) => find(objects, 'ClusterRole', binding.roleRef.name));
  expect(
    objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding'),
    'namespaced RBAC (this test reads ClusterRoles only)',
  ).toEqual([]);
  return roles
    .flatMap((role) => role.rules)
    .flatMap((rule: any) =>
      rule.apiGroups.flatMap((group: string) =>
        rule.resources.flatMap((resource: string) =>
          rule.verbs.map((verb: string) => `${group}/${resource}:${verb}`),
        ),
      ),
    )
    .sort();
}

describe('kubectl apply -k deploy/', () => {
  it('installs the namespace, the service (Deployment, Service, PodDisruptionBudget, RBAC), the sensor DaemonSet and network policies', () => {
    const names = renders.base.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names).toEqual(
      [
        'ClusterRole/burnwatch-change-log',
        'ClusterRole/burnwatch-sensor',
        'ClusterRoleBinding/burnwatch-change-log',
        'ClusterRoleBinding/burnwatch-sensor',
        'DaemonSet/burnwatch-sensor',
        'Deployment/burnwatch',
        'Namespace/burnwatch',
        'NetworkPolicy/burnwatch',
        'NetworkPolicy/burnwatch-sensor',
        'PodDisruptionBudget/burnwatch',
        'Service/burnwatch',
        'ServiceAccount/burnwatch',
        'ServiceAccount/burnwatch-sensor',
      ].sort(),
    );
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    for (const object of renders.base.filter((o) => !clusterScoped.has(o.kind))) {
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe('burnwatch');
    }
  });

  it.each(Object.entries(renders))(
    'every object of the %s rendering passes the Kubernetes OpenAPI schemas',
    async (_, objects) => {
      expect(await schemaProblems(objects)).toEqual([]);
    },
  );

  it('the schema check itself refuses a misspelt field, a wrong type and an unknown kind', async () => {
    const deployment = structuredClone(find(renders.base, 'Deployment', 'burnwatch'));
    deployment.spec.template.spec.containers[0].readinesProbe =
      deployment.spec.template.spec.containers[0].readinessProbe;
    const service = structuredClone(find(renders.base, 'Service', 'burnwatch'));
    service.spec.ports[0].port = '80';
    const unknown = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } };
    const problems = await schemaProblems([deployment, service, unknown]);
    expect(new Set(problems.map((p) => p.split(':')[0]))).toEqual(
      new Set(['Deployment/burnwatch', 'Service/burnwatch', 'Gadget/g']),
    );
    expect(problems.find((p) => p.startsWith('Deployment/burnwatch'))).toMatch(/readinesProbe/);
    expect(problems.find((p) => p.startsWith('Service/burnwatch'))).toMatch(/port must be integer/);
    expect(problems.find((p) => p.startsWith('Gadget/g'))).toMatch(/no schema/);
  });

  it('runs two service replicas with health and readiness probes, resources and a disruption budget that keeps one', () => {
    const deployment = find(renders.base, 'Deployment', 'burnwatch');
    expect(deployment.spec.replicas).toBe(2);
    const [container] = deployment.spec.template.spec.containers as Container[];
    expect(container!.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container!.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container!.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container!.resources.limits.memory).toEqual(expect.any(String));
    const pdb = find(renders.base, 'PodDisruptionBudget', 'burnwatch');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(selects(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
  });

  it('runs the service unprivileged (non-root, read-only root filesystem, no capabilities) and the sensor with only BPF, PERFMON and SYS_RESOURCE', () => {
    const service = find(renders.base, 'Deployment', 'burnwatch').spec.template.spec;
    expect(service.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(service.securityContext.runAsUser).toBeGreaterThan(0);
    for (const container of service.containers as Container[]) {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.securityContext!.capabilities.add).toBeUndefined();
    }
    const sensor = find(renders.base, 'DaemonSet', 'burnwatch-sensor').spec.template.spec;
    expect(sensor.hostPID).toBe(true);
    expect(sensor.hostNetwork).toBeUndefined();
    for (const container of sensor.containers as Container[]) {
      expect(container.securityContext).toMatchObject({
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.securityContext!.capabilities.add.sort()).toEqual(['BPF', 'PERFMON', 'SYS_RESOURCE']);
    }
  });

  it.each(Object.entries(renders))(
    'in the %s rendering, every selector selects pods, every named port exists and every secret is defined or optional',
    (_, objects) => {
      const pods = podTemplates(objects);
      const podPorts = (labels: Record<string, string>) =>
        pods
          .filter((pod) => selects(labels, pod.metadata.labels))
          .flatMap((pod) => pod.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
      for (const service of objects.filter((o) => o.kind === 'Service') as any[]) {
        expect(
          podPorts(service.spec.selector).length,
          `Service/${service.metadata.name} selects no pod`,
        ).toBeGreaterThan(0);
        for (const port of service.spec.ports)
          expect(podPorts(service.spec.selector)).toContain(port.targetPort);
      }
      for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy') as any[]) {
        const ports = podPorts(policy.spec.podSelector.matchLabels);
        expect(ports.length, `NetworkPolicy/${policy.metadata.name} selects no pod`).toBeGreaterThan(0);
        for (const rule of policy.spec.ingress) {
          for (const port of rule.ports) expect(ports).toContain(port.port);
          for (const peer of rule.from ?? []) {
            if (peer.podSelector) expect(podPorts(peer.podSelector.matchLabels).length).toBeGreaterThan(0);
          }
        }
      }
      const serviceAccounts = objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name);
      for (const pod of pods)
        if (pod.spec.serviceAccountName) expect(serviceAccounts).toContain(pod.spec.serviceAccountName);
      for (const binding of objects.filter((o) => o.kind === 'ClusterRoleBinding') as any[]) {
        for (const subject of binding.subjects) expect(serviceAccounts).toContain(subject.name);
        expect(
          objects.some((o) => o.kind === 'ClusterRole' && o.metadata.name === binding.roleRef.name),
        ).toBe(true);
      }
      const secrets = new Map(
        objects
          .filter((o) => o.kind === 'Secret')
          .map((o: any) => [o.metadata.name, { ...o.stringData, ...o.data }]),
      );
      for (const pod of pods) {
        for (const ref of pod.spec.containers
          .flatMap((c) => c.env ?? [])
          .map((e) => e.valueFrom?.secretKeyRef)) {
          if (!ref || ref.optional) continue;
          // The base expects the one Secret the user creates (README); an overlay that bundles Postgres defines it.
          if (objects === renders.withPostgres || ref.name !== 'burnwatch-database') {
            expect(secrets.get(ref.name)?.[ref.key], `secret ${ref.name}/${ref.key}`).toBeDefined();
          }
        }
      }
    },
  );

  it('with-postgres wires DATABASE_URL to the bundled Postgres Service and its password', () => {
    const objects = renders.withPostgres;
    const secret = find(objects, 'Secret', 'burnwatch-database');
    const url = new URL(secret.stringData.url);
    const service = find(objects, 'Service', 'burnwatch-postgres');
    expect(url.hostname).toBe(`${service.metadata.name}.burnwatch.svc`);
    expect(Number(url.port)).toBe(service.spec.ports[0].port);
    expect(decodeURIComponent(url.password)).toBe(secret.stringData.password);
    const postgres = find(objects, 'StatefulSet', 'burnwatch-postgres').spec.template.spec
      .containers[0] as Container;
    const env = new Map(postgres.env!.map((e) => [e.name, e.value]));
    expect(url.username).toBe(env.get('POSTGRES_USER'));
    expect(url.pathname).toBe(`/${env.get('POSTGRES_DB')}`);
  });

  it('the prometheus-operator overlay scrapes the service and every sensor through ports that exist', () => {
    const objects = renders.prometheusOperator;
    const serviceMonitor = find(objects, 'ServiceMonitor', 'burnwatch');
    const service = find(objects, 'Service', 'burnwatch');
    expect(selects(serviceMonitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(serviceMonitor.spec.endpoints[0].port);
    const podMonitor = find(objects, 'PodMonitor', 'burnwatch-sensor');
    const sensor = find(objects, 'DaemonSet', 'burnwatch-sensor').spec.template;
    expect(selects(podMonitor.spec.selector.matchLabels, sensor.metadata.labels)).toBe(true);
    expect(sensor.spec.containers[0].ports.map((p: any) => p.name)).toContain(
      podMonitor.spec.podMetricsEndpoints[0].port,
    );
  });

  it("gives the service only variables the README's configuration table documents, and values the service accepts", () => {
    const documented = documentedVariables();
    const env = serviceEnvironment();
    expect(Object.keys(env).filter((name) => !documented.has(name))).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('every probe of the service names its container port, and the service started with its environment answers each with 200', async () => {
    const env = serviceEnvironment();
    const container = find(renders.base, 'Deployment', 'burnwatch').spec.template.spec
      .containers[0] as Container;
    const probes = {
      startupProbe: container.startupProbe,
      livenessProbe: container.livenessProbe,
      readinessProbe: container.readinessProbe,
    };
    for (const [kind, probe] of Object.entries(probes)) {
      expect(probe, kind).toBeDefined();
      const port = container.ports!.find((p) => p.name === probe.httpGet.port);
      expect(port?.containerPort, `${kind} port ${probe.httpGet.port}`).toBe(Number(env.PORT));
    }
    // As in the pod, but on a free local port, with this run's database and no cluster to watch.
    const config = {
      ...loadConfig(env),
      port: 0,
      host: '127.0.0.1',
      databaseUrl: inject('databaseUrl'),
      kubernetes: { ...loadConfig(env).kubernetes, mode: 'off' as const },
    };
    const service = await startBurnwatch(config, new JsonLogger('error'));
    try {
      for (const [kind, probe] of Object.entries(probes)) {
        const response = await fetch(`${service.url}${probe.httpGet.path}`);
        expect(response.status, `${kind} GET ${probe.httpGet.path}`).toBe(200);
      }
    } finally {
      await service.close();
    }
  });

  it("the sensor's probes ask its /healthz on the port its environment listens on", () => {
    const container = find(renders.base, 'DaemonSet', 'burnwatch-sensor').spec.template.spec
      .containers[0] as Container;
    const port = Number(container.env!.find((e) => e.name === 'BURNWATCH_SENSOR_PORT')!.value);
    // sensor/agent.ts answers GET /healthz with 200 "ok"; starting it needs the BPF loader, so it is not run here.
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet.path).toBe('/healthz');
      expect(container.ports!.find((p) => p.name === probe.httpGet.port)?.containerPort).toBe(port);
    }
  });

  it('grants the service exactly list and watch on what its Kubernetes watches read, and the sensor exactly list and watch on pods', () => {
    const listAndWatch = (paths: string[]) =>
      paths
        .map(rbacResource)
        .flatMap(({ group, resource }) => [`${group}/${resource}:list`, `${group}/${resource}:watch`])
        .sort();
    const serviceAccount = find(renders.base, 'Deployment', 'burnwatch').spec.template.spec
      .serviceAccountName;
    expect(grantedTo(renders.base, serviceAccount)).toEqual(listAndWatch(Object.values(WATCH_PATHS)));
    const sensorAccount = find(renders.base, 'DaemonSet', 'burnwatch-sensor').spec.template.spec
      .serviceAccountName;
    expect(grantedTo(renders.base, sensorAccount)).toEqual(listAndWatch([POD_WATCH_PATH]));
  });
});

describe('the container images', () => {
  const dockerfiles = ['deploy/service.Dockerfile', 'deploy/sensor.Dockerfile'].map((path) => ({
    path,
    text: readFileSync(`${repoRoot}${path}`, 'utf8'),
  }));

  it.each(dockerfiles)(
    '$path is multi-stage on a base pinned to an exact version, running compiled JavaScript',
    ({ text }) => {
      const args = new Map([...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
      const bases = [...text.matchAll(/^FROM (\S+)/gm)].map((m) =>
        m[1]!.replace(/^\$\{(\w+)\}$/, (_, name) => args.get(name) ?? name),
      );
      expect(bases.length).toBeGreaterThanOrEqual(2);
      // An exact version tag, and the digest where it was recorded (tag@sha256:…).
      for (const base of bases)
        expect(base).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$/);
      const entrypoint = text.match(/^ENTRYPOINT (.+)$/m)![1]!;
      expect(JSON.parse(entrypoint)).toEqual(['node', expect.stringMatching(/^dist\/.+\.js$/)]);
      expect(text).not.toMatch(/\btsx\b/);
    },
  );

  it('the service image never starts a sensor of its own (the DaemonSet measures the nodes)', () => {
    expect(new Map(dockerfileEnv('deploy/service.Dockerfile')).get('BURNWATCH_SENSOR')).toBe('off');
  });

  it('the service image runs as a non-root user', () => {
    const service = dockerfiles[0]!.text;
    const finalStage = service.slice(service.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/m);
  });
});
