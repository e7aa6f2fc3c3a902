import { parseAllDocuments, stringify } from 'yaml';
import { FieldError } from '../../common/field-error.js';
import { isPlainObject } from '../../common/merge-patch.js';
import { SloSpec, SloService } from '../domain/slo.js';
import { validateSloSpec } from '../domain/slo-schema.js';

/**
 * OpenSLO v1 ⇄ Burnwatch. The mapping is documented in docs/openslo.md; in short:
 * metadata.name/displayName/labels.team, spec.description, spec.service (workload), one rolling timeWindow,
 * Occurrences|Timeslices, one objective (target is a ratio, Burnwatch's objective a percent), and an SLI whose
 * metric sources are of type "burnwatch" (the sensor's series, selected by namespace/workload/route/method) or
 * "Prometheus" (PromQL). Burnwatch-only settings travel in burnwatch.io/ annotations.
 */

export const API_VERSION = 'openslo/v1';
const SOURCE_BURNWATCH = 'burnwatch';
const SOURCE_PROMETHEUS = 'prometheus';
export const ANNOTATIONS = {
  slackChannel: 'burnwatch.io/slack-channel',
  alerting: 'burnwatch.io/alerting',
  source: 'burnwatch.io/source',
} as const;

type Doc = Record<string, unknown>;

export interface OpenSloImport {
  slos: SloSpec[];
  /** Parts of the input Burnwatch has no use for, each said out loud rather than silently dropped. */
  ignored: FieldError[];
}

export type OpenSloParse = ({ ok: true } & OpenSloImport) | { ok: false; errors: FieldError[] };

/** Parses one or more YAML (or JSON) documents: `kind: SLO` with an inline indicator, or SLI + SLO by reference. */
export function parseOpenSlo(text: string): OpenSloParse {
  const errors: FieldError[] = [];
  const ignored: FieldError[] = [];
  const docs: { doc: Doc; at: string }[] = [];
  const parsed = parseAllDocuments(text);
  const all = Array.isArray(parsed) ? parsed : [parsed];
  all.forEach((document, i) => {
    const at = `documents[${i}]`;
    if (document.errors.length > 0) {
      errors.push({ field: at, message: `is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}` });
      return;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    if (!isPlainObject(value)) {
      errors.push({
        field: at,
        message: 'must be an OpenSLO object with apiVersion, kind, metadata and spec',
      });
      return;
    }
    docs.push({ doc: value, at });
  });
  if (docs.length === 0 && errors.length === 0) {
    errors.push({ field: 'documents', message: 'holds no OpenSLO document' });
  }

  const slis = new Map<string, { doc: Doc; at: string }>();
  const slos: { doc: Doc; at: string }[] = [];
  for (const entry of docs) {
    const { doc, at } = entry;
    if (doc.apiVersion !== API_VERSION) {
      errors.push({
        field: `${at}.apiVersion`,
        message: `must be "${API_VERSION}", got ${JSON.stringify(doc.apiVersion)}`,
      });
      continue;
    }
    switch (doc.kind) {
      case 'SLO':
        slos.push(entry);
        break;
      case 'SLI': {
        const name = nameOf(doc);
        if (name === undefined) errors.push({ field: `${at}.metadata.name`, message: 'is required' });
        else slis.set(name, entry);
        break;
      }
      case 'Service':
      case 'AlertPolicy':
      case 'AlertCondition':
      case 'AlertNotificationTarget':
        ignored.push({
          field: `${at}`,
          message: `kind ${doc.kind} is not stored: Burnwatch alerts with its own burn-rate policy and notifies through Slack`,
        });
        break;
      default:
        errors.push({
          field: `${at}.kind`,
          message: `must be "SLO" or "SLI" (Burnwatch does not support ${JSON.stringify(doc.kind)}, e.g. DataSource)`,
        });
    }
  }

  const result: SloSpec[] = [];
  for (const { doc, at } of slos) {
    const converted = fromOpenSloDocument(doc, at, slis, ignored);
    if (!converted.ok) {
      errors.push(...converted.errors);
      continue;
    }
    result.push(converted.spec);
  }
  const names = new Set<string>();
  for (const spec of result) {
    if (names.has(spec.name))
      errors.push({ field: 'documents', message: `define the SLO "${spec.name}" twice` });
    names.add(spec.name);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, slos: result, ignored };
}

type Converted = { ok: true; spec: SloSpec } | { ok: false; errors: FieldError[] };

function fromOpenSloDocument(
  doc: Doc,
  at: string,
  slis: Map<string, { doc: Doc; at: string }>,
  ignored: FieldError[],
): Converted {
  const errors: FieldError[] = [];
  const reader = new Reader(errors);
  const metadata = reader.object(doc, 'metadata', at);
  const spec = reader.object(doc, 'spec', at);
  reader.only(doc, at, 'apiVersion', 'kind', 'metadata', 'spec');
  reader.only(metadata, `${at}.metadata`, 'name', 'displayName', 'labels', 'annotations');
  reader.only(
    spec,
    `${at}.spec`,
    'description',
    'service',
    'indicator',
    'indicatorRef',
    'timeWindow',
    'budgetingMethod',
    'objectives',
    'alertPolicies',
  );

  const out: Record<string, unknown> = { name: metadata.name };
  if (metadata.displayName !== undefined) out.displayName = metadata.displayName;
  if (spec.description !== undefined) out.description = spec.description;
  const team = labelValue(metadata.labels, 'team');
  if (team !== undefined) out.team = team;
  const annotations = isPlainObject(metadata.annotations) ? metadata.annotations : {};
  for (const key of Object.keys(annotations)) {
    if (!Object.values(ANNOTATIONS).includes(key as never)) {
      ignored.push({
        field: `${at}.metadata.annotations.${key}`,
        message: 'is not a Burnwatch annotation and is not kept',
      });
    }
  }
  if (isPlainObject(metadata.labels)) {
    for (const key of Object.keys(metadata.labels)) {
      if (key !== 'team')
        ignored.push({ field: `${at}.metadata.labels.${key}`, message: 'only the "team" label is kept' });
    }
  }
  if (annotations[ANNOTATIONS.slackChannel] !== undefined)
    out.notify = { slackChannel: annotations[ANNOTATIONS.slackChannel] };
  if (annotations[ANNOTATIONS.alerting] !== undefined) {
    try {
      out.alerting = JSON.parse(String(annotations[ANNOTATIONS.alerting]));
    } catch {
      errors.push({
        field: `${at}.metadata.annotations.${ANNOTATIONS.alerting}`,
        message: 'must be JSON such as {"windows":[…]}',
      });
    }
  }
  if (spec.alertPolicies !== undefined) {
    ignored.push({
      field: `${at}.spec.alertPolicies`,
      message: `are not used: Burnwatch applies its multi-window burn-rate policy (override it with the ${ANNOTATIONS.alerting} annotation)`,
    });
  }

  // Window: exactly one rolling window.
  const windows = spec.timeWindow;
  if (!Array.isArray(windows) || windows.length !== 1 || !isPlainObject(windows[0])) {
    errors.push({
      field: `${at}.spec.timeWindow`,
      message: 'must hold exactly one window, such as [{ duration: 28d, isRolling: true }]',
    });
  } else {
    const window = windows[0];
    reader.only(window, `${at}.spec.timeWindow[0]`, 'duration', 'isRolling', 'calendar');
    if (window.isRolling !== true || window.calendar !== undefined) {
      errors.push({
        field: `${at}.spec.timeWindow[0].isRolling`,
        message: 'must be true: Burnwatch supports rolling windows, not calendar-aligned ones',
      });
    }
    out.window = window.duration;
  }

  const method = spec.budgetingMethod;
  if (method === 'Occurrences') out.budgetingMethod = 'occurrences';
  else if (method === 'Timeslices') out.budgetingMethod = 'timeslices';
  else
    errors.push({
      field: `${at}.spec.budgetingMethod`,
      message: `must be "Occurrences" or "Timeslices" (Burnwatch does not support ${JSON.stringify(method)})`,
    });

  // Objective: exactly one.
  const objectives = spec.objectives;
  let objective: Doc = {};
  if (!Array.isArray(objectives) || objectives.length !== 1 || !isPlainObject(objectives[0])) {
    errors.push({
      field: `${at}.spec.objectives`,
      message: 'must hold exactly one objective (Burnwatch has one objective per SLO)',
    });
  } else {
    objective = objectives[0];
    const path = `${at}.spec.objectives[0]`;
    reader.only(
      objective,
      path,
      'displayName',
      'target',
      'targetPercent',
      'timeSliceTarget',
      'timeSliceWindow',
      'op',
      'value',
    );
    if (objective.displayName !== undefined)
      ignored.push({ field: `${path}.displayName`, message: 'is not kept (use metadata.displayName)' });
    if (typeof objective.targetPercent === 'number') out.objective = objective.targetPercent;
    else if (typeof objective.target === 'number') out.objective = ratioToPercent(objective.target);
    else errors.push({ field: `${path}.target`, message: 'is required: a ratio such as 0.999' });
    if (objective.timeSliceWindow !== undefined) {
      out.timeslice =
        typeof objective.timeSliceWindow === 'number'
          ? `${objective.timeSliceWindow / 60}m`
          : objective.timeSliceWindow;
    }
    if (typeof objective.timeSliceTarget === 'number' && objective.op === undefined) {
      out.timesliceTarget = ratioToPercent(objective.timeSliceTarget);
    }
  }

  // Indicator: inline, or by reference to an SLI document.
  let indicator: Doc | undefined;
  let indicatorAt = `${at}.spec.indicator`;
  if (spec.indicator !== undefined && spec.indicatorRef !== undefined) {
    errors.push({
      field: `${at}.spec.indicatorRef`,
      message: 'give either indicator or indicatorRef, not both',
    });
  } else if (spec.indicator !== undefined) {
    indicator = reader.object(spec, 'indicator', `${at}.spec`);
  } else if (typeof spec.indicatorRef === 'string') {
    const sli = slis.get(spec.indicatorRef);
    if (!sli)
      errors.push({
        field: `${at}.spec.indicatorRef`,
        message: `names no SLI document in this request: "${spec.indicatorRef}"`,
      });
    else {
      indicator = sli.doc;
      indicatorAt = sli.at;
    }
  } else {
    errors.push({
      field: `${at}.spec.indicator`,
      message: 'is required (inline, or indicatorRef naming an SLI document)',
    });
  }
  const sourceAnnotation = annotations[ANNOTATIONS.source];
  if (indicator)
    Object.assign(
      out,
      indicatorFrom(indicator, indicatorAt, objective, spec.service, sourceAnnotation, reader, ignored),
    );

  if (errors.length > 0) return { ok: false, errors };
  const validated = validateSloSpec(out);
  if (!validated.ok) {
    return {
      ok: false,
      errors: validated.errors.map((e) => ({
        field: `${at} (Burnwatch field ${e.field})`,
        message: e.message,
      })),
    };
  }
  return validated;
}

function indicatorFrom(
  sli: Doc,
  at: string,
  objective: Doc,
  serviceName: unknown,
  sourceAnnotation: unknown,
  reader: Reader,
  ignored: FieldError[],
): Doc {
  reader.only(sli, at, 'apiVersion', 'kind', 'metadata', 'spec');
  const metadata = isPlainObject(sli.metadata) ? sli.metadata : {};
  if (metadata.displayName !== undefined)
    ignored.push({ field: `${at}.metadata.displayName`, message: 'is not kept' });
  const spec = reader.object(sli, 'spec', at);
  reader.only(spec, `${at}.spec`, 'description', 'thresholdMetric', 'ratioMetric');
  if (spec.description !== undefined)
    ignored.push({ field: `${at}.spec.description`, message: 'is not kept (the SLO description is)' });
  const out: Doc = {};
  const source = sourceAnnotation === SOURCE_PROMETHEUS ? { type: 'prometheus' } : undefined;

  if (isPlainObject(spec.thresholdMetric)) {
    const metric = reader.metricSource(spec.thresholdMetric, `${at}.spec.thresholdMetric`);
    if (metric && metric.type !== SOURCE_BURNWATCH) {
      reader.fail(
        `${at}.spec.thresholdMetric.metricSource.type`,
        'must be "burnwatch" for a threshold metric: percentile SLIs come from the sensor',
      );
      return out;
    }
    if (objective.op !== 'lte')
      reader.fail(
        `${at.replace(/\.spec\.indicator$/, '')}.spec.objectives[0].op`,
        'must be "lte": the percentile must stay at or below the value',
      );
    const selector = metric?.spec ?? {};
    out.service = serviceFrom(selector, serviceName);
    out.indicator = { type: 'latency', thresholdMs: objective.value, percentile: selector.percentile };
    if (source) out.source = source;
    return out;
  }
  if (!isPlainObject(spec.ratioMetric)) {
    reader.fail(`${at}.spec`, 'must have a ratioMetric or a thresholdMetric');
    return out;
  }
  const ratio = spec.ratioMetric;
  const ratioAt = `${at}.spec.ratioMetric`;
  reader.only(ratio, ratioAt, 'counter', 'good', 'bad', 'total');
  if (ratio.counter !== undefined && ratio.counter !== true)
    reader.fail(`${ratioAt}.counter`, 'must be true: Burnwatch reads counters');
  const good = isPlainObject(ratio.good) ? reader.metricSource(ratio.good, `${ratioAt}.good`) : undefined;
  const bad = isPlainObject(ratio.bad) ? reader.metricSource(ratio.bad, `${ratioAt}.bad`) : undefined;
  const total = isPlainObject(ratio.total) ? reader.metricSource(ratio.total, `${ratioAt}.total`) : undefined;
  if (!total) reader.fail(`${ratioAt}.total`, 'is required');
  if ((good === undefined) === (bad === undefined))
    reader.fail(`${ratioAt}.good`, 'give exactly one of good and bad');
  const numerator = good ?? bad;
  if (!numerator || !total) return out;
  if (numerator.type !== total.type) {
    reader.fail(`${ratioAt}.total.metricSource.type`, `must match the numerator's type "${numerator.type}"`);
    return out;
  }
  if (total.type === SOURCE_PROMETHEUS) {
    out.source = { type: 'prometheus' };
    out.service = { workload: typeof serviceName === 'string' ? serviceName : undefined };
    out.indicator = {
      type: 'ratio',
      ...(good ? { goodQuery: good.spec.query } : { badQuery: bad!.spec.query }),
      totalQuery: total.spec.query,
    };
    return out;
  }
  out.service = serviceFrom(total.spec, serviceName);
  if (source) out.source = source;
  if (bad && bad.spec.errorStatus !== undefined)
    out.indicator = { type: 'errorRate', errorStatus: bad.spec.errorStatus };
  else if (good && good.spec.thresholdMs !== undefined)
    out.indicator = { type: 'latency', thresholdMs: good.spec.thresholdMs };
  else
    reader.fail(
      `${ratioAt}`,
      'a "burnwatch" ratio counts bad events with errorStatus, or good events with thresholdMs',
    );
  return out;
}

function serviceFrom(selector: Doc, serviceName: unknown): Doc {
  const service: Doc = {};
  for (const key of ['namespace', 'workload', 'route', 'method'] as const) {
    if (selector[key] !== undefined) service[key] = selector[key];
  }
  if (service.workload === undefined && typeof serviceName === 'string') service.workload = serviceName;
  return service;
}

/** Reads OpenSLO objects, collecting errors with the OpenSLO path rather than Burnwatch's. */
class Reader {
  constructor(private readonly errors: FieldError[]) {}

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  object(parent: Doc, key: string, path: string): Doc {
    const value = parent[key];
    if (isPlainObject(value)) return value;
    this.errors.push({
      field: `${path}.${key}`,
      message: value === undefined ? 'is required' : 'must be an object',
    });
    return {};
  }

  /** Rejects any key Burnwatch would otherwise drop, naming it. */
  only(object: Doc, path: string, ...known: string[]): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key))
        this.errors.push({
          field: `${path}.${key}`,
          message: `is not supported by Burnwatch (known here: ${known.join(', ')})`,
        });
    }
  }

  metricSource(holder: Doc, at: string): { type: string; spec: Doc } | undefined {
    const source = holder.metricSource;
    if (!isPlainObject(source)) {
      this.fail(`${at}.metricSource`, 'is required');
      return undefined;
    }
    if (source.metricSourceRef !== undefined) {
      this.fail(`${at}.metricSource.metricSourceRef`, 'is not supported: give type and spec inline');
      return undefined;
    }
    const type = String(source.type ?? '').toLowerCase();
    if (type !== SOURCE_BURNWATCH && type !== SOURCE_PROMETHEUS) {
      this.fail(
        `${at}.metricSource.type`,
        `must be "burnwatch" (the eBPF sensor) or "Prometheus", got ${JSON.stringify(source.type)}`,
      );
      return undefined;
    }
    const spec = isPlainObject(source.spec) ? source.spec : {};
    if (type === SOURCE_PROMETHEUS && typeof spec.query !== 'string') {
      this.fail(`${at}.metricSource.spec.query`, 'must be a PromQL query');
      return undefined;
    }
    return { type, spec };
  }
}

function nameOf(doc: Doc): string | undefined {
  return isPlainObject(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : undefined;
}

function labelValue(labels: unknown, key: string): unknown {
  if (!isPlainObject(labels)) return undefined;
  const value = labels[key];
  return Array.isArray(value) ? value[0] : value;
}

function ratioToPercent(ratio: number): number {
  return Math.round(ratio * 100 * 1e6) / 1e6;
}

function percentToRatio(percent: number): number {
  return Math.round(percent * 1e6) / 1e8;
}

/** One Burnwatch SLO as an OpenSLO v1 `kind: SLO` document with an inline indicator. */
export function toOpenSlo(spec: SloSpec): Doc {
  const metadata: Doc = { name: spec.name };
  if (spec.displayName !== undefined) metadata.displayName = spec.displayName;
  if (spec.team !== undefined) metadata.labels = { team: spec.team };
  const annotations: Doc = {};
  if (spec.notify?.slackChannel !== undefined)
    annotations[ANNOTATIONS.slackChannel] = spec.notify.slackChannel;
  if (spec.alerting !== undefined) annotations[ANNOTATIONS.alerting] = JSON.stringify(spec.alerting);
  if (spec.source.type === 'prometheus' && spec.indicator.type !== 'ratio')
    annotations[ANNOTATIONS.source] = SOURCE_PROMETHEUS;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;

  const objective: Doc = { target: percentToRatio(spec.objective) };
  const sliSpec: Doc = {};
  const selector = selectorOf(spec.service);
  const indicator = spec.indicator;
  if (indicator.type === 'latency' && indicator.percentile !== undefined) {
    sliSpec.thresholdMetric = {
      metricSource: { type: SOURCE_BURNWATCH, spec: { ...selector, percentile: indicator.percentile } },
    };
    objective.op = 'lte';
    objective.value = indicator.thresholdMs;
  } else if (indicator.type === 'latency') {
    sliSpec.ratioMetric = {
      counter: true,
      good: {
        metricSource: { type: SOURCE_BURNWATCH, spec: { ...selector, thresholdMs: indicator.thresholdMs } },
      },
      total: { metricSource: { type: SOURCE_BURNWATCH, spec: selector } },
    };
  } else if (indicator.type === 'errorRate') {
    sliSpec.ratioMetric = {
      counter: true,
      bad: {
        metricSource: { type: SOURCE_BURNWATCH, spec: { ...selector, errorStatus: indicator.errorStatus } },
      },
      total: { metricSource: { type: SOURCE_BURNWATCH, spec: selector } },
    };
  } else {
    const prometheus = (query: string) => ({ metricSource: { type: 'Prometheus', spec: { query } } });
    sliSpec.ratioMetric = {
      counter: true,
      ...(indicator.goodQuery !== undefined
        ? { good: prometheus(indicator.goodQuery) }
        : { bad: prometheus(indicator.badQuery!) }),
      total: prometheus(indicator.totalQuery),
    };
  }
  if (spec.budgetingMethod === 'timeslices') {
    objective.timeSliceWindow = spec.timeslice;
    if (spec.timesliceTarget !== undefined) objective.timeSliceTarget = percentToRatio(spec.timesliceTarget);
  }
  const sloSpec: Doc = {};
  if (spec.description !== '') sloSpec.description = spec.description;
  sloSpec.service = spec.service.workload;
  sloSpec.indicator = { metadata: { name: `${spec.name}-sli` }, spec: sliSpec };
  sloSpec.timeWindow = [{ duration: spec.window, isRolling: true }];
  sloSpec.budgetingMethod = spec.budgetingMethod === 'timeslices' ? 'Timeslices' : 'Occurrences';
  sloSpec.objectives = [objective];
  return { apiVersion: API_VERSION, kind: 'SLO', metadata, spec: sloSpec };
}

function selectorOf(service: SloService): Doc {
  const selector: Doc = {};
  if (service.namespace !== undefined) selector.namespace = service.namespace;
  selector.workload = service.workload;
  if (service.route !== undefined) selector.route = service.route;
  if (service.method !== undefined) selector.method = service.method;
  return selector;
}

export function toOpenSloYaml(spec: SloSpec): string {
  return stringify(toOpenSlo(spec), { lineWidth: 0 });
}
