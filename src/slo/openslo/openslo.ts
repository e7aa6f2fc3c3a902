import { isMap, isScalar, parseAllDocuments, stringify, visit } from 'yaml';
import { FieldError } from '../../common/field-error.js';
import { isPlainObject } from '../../common/merge-patch.js';
import { SloSpec, SloService } from '../domain/slo.js';
import { validateSloSpec } from '../domain/slo-schema.js';
import { isTimeZone } from '../domain/zoned-time.js';
import { parseWallTime } from '../domain/calendar-window.js';

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
  // The requests an SLO on Prometheus queries is about (a "burnwatch" metric source names them itself).
  namespace: 'burnwatch.io/namespace',
  route: 'burnwatch.io/route',
  method: 'burnwatch.io/method',
  // Budget corrections (JSON, the shapes POST /corrections takes): exported for the record, not imported.
  corrections: 'burnwatch.io/corrections',
} as const;
const SERVICE_ANNOTATIONS = ['namespace', 'route', 'method'] as const;

type Doc = Record<string, unknown>;

export interface OpenSloImport {
  slos: SloSpec[];
  /** The document each SLO came from, e.g. "documents[2]", to name it in later errors. */
  documents: string[];
  /** Parts of the input Burnwatch has no use for, each said out loud rather than silently dropped. */
  ignored: FieldError[];
}

export type OpenSloParse = ({ ok: true } & OpenSloImport) | { ok: false; errors: FieldError[] };

/** More keys than any OpenSLO request needs (a document has a few dozen): refused before anything else is read. */
const MAX_KEYS = 20_000;

function countColons(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) count++;
  return count;
}

/** In one pass over a parsed document: a key given twice in one mapping, or more than MAX_KEYS keys in all. */
function tooManyOrDuplicateKeys(
  document: ReturnType<typeof parseAllDocuments>[number],
  keysBefore: number,
): { keys: number; message?: string } {
  let keys = keysBefore;
  let message: string | undefined;
  visit(document, {
    Map(_key, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<string>();
      for (const pair of map.items) {
        keys++;
        if (keys > MAX_KEYS) {
          message = `holds more than ${MAX_KEYS} keys: an OpenSLO request needs a few dozen per document`;
          return visit.BREAK;
        }
        const name = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        if (seen.has(name)) {
          message = `has the key "${name.slice(0, 100)}" twice in one mapping`;
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  return { keys, message };
}

/** Parses one or more YAML (or JSON) documents: `kind: SLO` with an inline indicator, or SLI + SLO by reference. */
export function parseOpenSlo(text: string): OpenSloParse {
  const errors: FieldError[] = [];
  const ignored: FieldError[] = [];
  const docs: { doc: Doc; at: string }[] = [];
  // The yaml library's own duplicate-key check compares every key with every other (50,000 keys: 26 s with the
  // event loop blocked): it is off, and `tooManyOrDuplicateKeys` checks in one pass instead.
  // Every key needs a colon: a text with far more than MAX_KEYS of them is refused before the (linear but not
  // cheap: about 0.8 s for 50,000 keys) parse, so that one request cannot hold the event loop.
  if (countColons(text) > 2 * MAX_KEYS) {
    errors.push({
      field: 'documents',
      message: `hold more than ${MAX_KEYS} keys: an OpenSLO request needs a few dozen per document`,
    });
    return { ok: false, errors };
  }
  const parsed = parseAllDocuments(text, { uniqueKeys: false });
  const all = Array.isArray(parsed) ? parsed : [parsed];
  let keys = 0;
  all.forEach((document, i) => {
    const at = `documents[${i}]`;
    if (document.errors.length > 0) {
      errors.push({ field: at, message: `is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}` });
      return;
    }
    const problem = tooManyOrDuplicateKeys(document, keys);
    keys = problem.keys;
    if (problem.message) {
      errors.push({ field: at, message: problem.message });
      return;
    }
    let value: unknown;
    try {
      value = document.toJS();
    } catch (error) {
      // e.g. an alias bomb: the yaml library refuses to expand too many aliases.
      errors.push({ field: at, message: `cannot be read: ${(error as Error).message}` });
      return;
    }
    if (value === null || value === undefined) return;
    // The OpenSLO Go SDK, oslo and others write several objects as one YAML list.
    const items = Array.isArray(value)
      ? value.map((item, j) => ({ item: item as unknown, itemAt: `${at}[${j}]` }))
      : [{ item: value, itemAt: at }];
    for (const { item, itemAt } of items) {
      if (!isPlainObject(item)) {
        errors.push({
          field: itemAt,
          message: `must be an OpenSLO object with apiVersion, kind, metadata and spec${
            Array.isArray(value) ? '' : ' (or a list of them)'
          }, got ${show(item)}`,
        });
        continue;
      }
      docs.push({ doc: item, at: itemAt });
    }
  });
  if (docs.length === 0 && errors.length === 0) {
    errors.push({ field: 'documents', message: 'holds no OpenSLO document' });
  }

  const slis = new Map<string, { doc: Doc; at: string }>();
  const dataSources: DataSources = new Map();
  const slos: { doc: Doc; at: string }[] = [];
  for (const entry of docs) {
    const { doc, at } = entry;
    if (doc.apiVersion !== API_VERSION) {
      errors.push({
        field: `${at}.apiVersion`,
        message: `must be "${API_VERSION}", got ${show(doc.apiVersion)}`,
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
        else if (slis.has(name))
          errors.push({ field: `${at}.metadata.name`, message: `names the SLI "${name}" a second time` });
        else slis.set(name, entry);
        break;
      }
      case 'Service':
        ignored.push({
          field: at,
          message:
            'kind Service is not stored: an SLO names its workload in its metric source or spec.service',
        });
        break;
      case 'AlertPolicy':
      case 'AlertCondition':
      case 'AlertNotificationTarget':
        ignored.push({
          field: at,
          message: `kind ${doc.kind} is not stored: Burnwatch alerts with its own burn-rate policy and notifies through Slack`,
        });
        break;
      case 'DataSource': {
        const name = nameOf(doc);
        const type = isPlainObject(doc.spec) ? doc.spec.type : undefined;
        if (name === undefined) errors.push({ field: `${at}.metadata.name`, message: 'is required' });
        else if (typeof type !== 'string')
          errors.push({
            field: `${at}.spec.type`,
            message: 'is required: the metric source type of the DataSource, such as Prometheus',
          });
        else if (dataSources.has(name))
          errors.push({
            field: `${at}.metadata.name`,
            message: `names the DataSource "${name}" a second time`,
          });
        else dataSources.set(name, { type, at, used: false });
        break;
      }
      default:
        errors.push({
          field: `${at}.kind`,
          message: `must be one of SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition, AlertNotificationTarget, got ${show(doc.kind)}`,
        });
    }
  }

  const result: SloSpec[] = [];
  const documents: string[] = [];
  for (const { doc, at } of slos) {
    const converted = fromOpenSloDocument(doc, at, slis, dataSources, ignored);
    if (!converted.ok) {
      errors.push(...converted.errors);
      continue;
    }
    result.push(converted.spec);
    documents.push(at);
  }
  const referenced = new Set(
    slos.map(({ doc }) => (isPlainObject(doc.spec) ? doc.spec.indicatorRef : undefined)),
  );
  for (const [name, { at }] of slis) {
    if (!referenced.has(name))
      ignored.push({
        field: at,
        message: `SLI "${name}" is not referenced by any SLO here and is not stored`,
      });
  }
  for (const [name, { at, type, used }] of dataSources) {
    ignored.push({
      field: at,
      message: used
        ? `DataSource "${name}" gives the type ${show(type)} of the metric sources that name it; its connection details are not used: Burnwatch queries the Prometheus it is configured with (BURNWATCH_PROMETHEUS_URL)`
        : `DataSource "${name}" is not named by any metric source here and is not stored`,
    });
  }
  const names = new Set<string>();
  for (const spec of result) {
    if (names.has(spec.name))
      errors.push({ field: 'documents', message: `define the SLO "${spec.name}" twice` });
    names.add(spec.name);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, slos: result, documents, ignored };
}

type Converted = { ok: true; spec: SloSpec } | { ok: false; errors: FieldError[] };

/** Where each Burnwatch field came from, so that a validation error names the OpenSLO path the user wrote. */
class Origins {
  private readonly paths = new Map<string, string>();

  constructor(private readonly fallback: string) {}

  set(field: string, path: string): void {
    this.paths.set(field, path);
  }

  /** The OpenSLO path of a Burnwatch field: its own, else its closest parent's, else the document's. */
  of(field: string): string {
    const parts = field.split('.');
    for (let n = parts.length; n > 0; n--) {
      const path = this.paths.get(parts.slice(0, n).join('.'));
      if (path !== undefined) return path;
    }
    return this.fallback;
  }
}

/** The DataSource objects of one request by name: their type, where they are, and whether a metric source named one. */
type DataSources = Map<string, { type: string; at: string; used: boolean }>;

function fromOpenSloDocument(
  doc: Doc,
  at: string,
  slis: Map<string, { doc: Doc; at: string }>,
  dataSources: DataSources,
  ignored: FieldError[],
): Converted {
  const errors: FieldError[] = [];
  const reader = new Reader(errors, dataSources, ignored);
  const origins = new Origins(at);
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
  origins.set('name', `${at}.metadata.name`);
  if (metadata.displayName !== undefined) {
    out.displayName = metadata.displayName;
    origins.set('displayName', `${at}.metadata.displayName`);
  }
  if (spec.description !== undefined) {
    out.description = spec.description;
    origins.set('description', `${at}.spec.description`);
  }
  const team = readTeam(metadata.labels, `${at}.metadata.labels`, reader, ignored);
  if (team !== undefined) {
    out.team = team;
    origins.set('team', `${at}.metadata.labels.team`);
  }
  const annotations = readAnnotations(metadata.annotations, `${at}.metadata.annotations`, reader, ignored);
  if (annotations[ANNOTATIONS.corrections] !== undefined) {
    ignored.push({
      field: `${at}.metadata.annotations.${ANNOTATIONS.corrections}`,
      message:
        'is not imported: budget corrections are records of their own (who and why); POST each to /api/v1/slos/{name}/corrections',
    });
  }
  if (annotations[ANNOTATIONS.slackChannel] !== undefined) {
    out.notify = { slackChannel: annotations[ANNOTATIONS.slackChannel] };
    origins.set('notify', `${at}.metadata.annotations.${ANNOTATIONS.slackChannel}`);
  }
  if (annotations[ANNOTATIONS.alerting] !== undefined) {
    const path = `${at}.metadata.annotations.${ANNOTATIONS.alerting}`;
    origins.set('alerting', path);
    try {
      out.alerting = JSON.parse(String(annotations[ANNOTATIONS.alerting]));
    } catch {
      reader.fail(path, 'must be JSON such as {"windows":[…]}');
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
    reader.fail(
      `${at}.spec.timeWindow`,
      'must hold exactly one window, such as [{ duration: 28d, isRolling: true }]',
    );
  } else {
    const window = windows[0];
    const path = `${at}.spec.timeWindow[0]`;
    reader.only(window, path, 'duration', 'isRolling', 'calendar');
    // A rolling window with a calendar (slogen writes a time zone there) is rolling: the calendar says nothing.
    if (window.isRolling === false || (window.calendar !== undefined && window.isRolling !== true)) {
      out.window = calendarWindowOf(window, path, reader);
      origins.set('window', `${path}.calendar`);
    } else {
      if (window.isRolling !== true) {
        reader.fail(`${path}.isRolling`, 'must be true for a rolling window, or false with a calendar');
      }
      out.window = weeksAsDays(window.duration);
      origins.set('window', `${path}.duration`);
    }
  }

  const method = spec.budgetingMethod;
  origins.set('budgetingMethod', `${at}.spec.budgetingMethod`);
  if (method === 'Occurrences') out.budgetingMethod = 'occurrences';
  else if (method === 'Timeslices') out.budgetingMethod = 'timeslices';
  else
    reader.fail(
      `${at}.spec.budgetingMethod`,
      method === 'RatioTimeslices'
        ? 'RatioTimeslices is not supported: use Occurrences, or Timeslices with a timeSliceTarget'
        : `must be "Occurrences" or "Timeslices", got ${show(method)}`,
    );

  // Objective: exactly one.
  const objectives = spec.objectives;
  let objective: Doc = {};
  const objectiveAt = `${at}.spec.objectives[0]`;
  if (!Array.isArray(objectives) || objectives.length !== 1 || !isPlainObject(objectives[0])) {
    reader.fail(
      `${at}.spec.objectives`,
      Array.isArray(objectives) && objectives.length > 1
        ? `must hold exactly one objective: Burnwatch has one objective per SLO (no composite SLOs), got ${objectives.length}`
        : 'must hold exactly one objective, such as [{ target: 0.999 }]',
    );
  } else {
    objective = objectives[0];
    reader.only(
      objective,
      objectiveAt,
      'displayName',
      'target',
      'targetPercent',
      'timeSliceTarget',
      'timeSliceWindow',
      'op',
      'value',
    );
    if (objective.displayName !== undefined)
      ignored.push({
        field: `${objectiveAt}.displayName`,
        message: 'is not kept (use metadata.displayName)',
      });
    if (objective.target !== undefined && objective.targetPercent !== undefined) {
      reader.fail(`${objectiveAt}.targetPercent`, 'give either target or targetPercent, not both');
    } else if (objective.targetPercent !== undefined) {
      out.objective = objective.targetPercent;
      origins.set('objective', `${objectiveAt}.targetPercent`);
    } else if (objective.target !== undefined) {
      if (typeof objective.target === 'number') out.objective = ratioToPercent(objective.target);
      else reader.fail(`${objectiveAt}.target`, 'must be a number: a ratio such as 0.999');
      origins.set('objective', `${objectiveAt}.target`);
    } else {
      reader.fail(`${objectiveAt}.target`, 'is required: a ratio such as 0.999 (or targetPercent: 99.9)');
    }
    // Missing or not, these are where the user puts them right.
    origins.set('timeslice', `${objectiveAt}.timeSliceWindow`);
    origins.set('timesliceTarget', `${objectiveAt}.timeSliceTarget`);
    if (objective.timeSliceWindow !== undefined) {
      const slice = objective.timeSliceWindow;
      // The spec reads a bare number as minutes.
      out.timeslice = typeof slice === 'number' ? `${slice}m` : slice;
    }
    if (objective.timeSliceTarget !== undefined) {
      out.timesliceTarget =
        typeof objective.timeSliceTarget === 'number'
          ? ratioToPercent(objective.timeSliceTarget)
          : objective.timeSliceTarget;
    }
  }

  // Indicator: inline, or by reference to an SLI document.
  let indicator: Doc | undefined;
  let indicatorAt = `${at}.spec.indicator`;
  if (spec.indicator !== undefined && spec.indicatorRef !== undefined) {
    reader.fail(`${at}.spec.indicatorRef`, 'give either indicator or indicatorRef, not both');
  } else if (spec.indicator !== undefined) {
    indicator = reader.object(spec, 'indicator', `${at}.spec`);
  } else if (spec.indicatorRef !== undefined) {
    const sli = typeof spec.indicatorRef === 'string' ? slis.get(spec.indicatorRef) : undefined;
    if (!sli)
      reader.fail(
        `${at}.spec.indicatorRef`,
        `names no SLI document in this request: ${show(spec.indicatorRef)}`,
      );
    else {
      indicator = sli.doc;
      indicatorAt = sli.at;
    }
  } else {
    reader.fail(`${at}.spec.indicator`, 'is required (inline, or indicatorRef naming an SLI document)');
  }
  const sourceAnnotation = annotations[ANNOTATIONS.source];
  if (indicator) {
    const context: IndicatorContext = {
      at: indicatorAt,
      objective,
      objectiveAt,
      service: spec.service,
      serviceAt: `${at}.spec.service`,
      reader,
      origins,
      ignored,
    };
    Object.assign(out, indicatorFrom(indicator, context));
    if (sourceAnnotation !== undefined) {
      const path = `${at}.metadata.annotations.${ANNOTATIONS.source}`;
      if (sourceAnnotation === SOURCE_PROMETHEUS && out.source === undefined)
        out.source = { type: 'prometheus' };
      else if (sourceAnnotation !== SOURCE_PROMETHEUS && sourceAnnotation !== 'sensor')
        reader.fail(path, `must be "prometheus" or "sensor", got ${show(sourceAnnotation)}`);
      origins.set('source', path);
    }
    const indicatorType = isPlainObject(out.indicator) ? out.indicator.type : undefined;
    for (const key of SERVICE_ANNOTATIONS) {
      const value = annotations[ANNOTATIONS[key]];
      if (value === undefined) continue;
      const path = `${at}.metadata.annotations.${ANNOTATIONS[key]}`;
      if (indicatorType === 'ratio' && isPlainObject(out.service)) {
        out.service[key] = value;
        origins.set(`service.${key}`, path);
      } else {
        reader.fail(
          path,
          `applies only to an SLO on Prometheus queries: a "burnwatch" metric source names the ${key} in its spec`,
        );
      }
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  const validated = validateSloSpec(out);
  if (!validated.ok) {
    return {
      ok: false,
      errors: validated.errors.map((e) => ({
        field: origins.of(e.field),
        message: `${e.message} (Burnwatch's ${e.field})`,
      })),
    };
  }
  return validated;
}

interface IndicatorContext {
  at: string;
  objective: Doc;
  objectiveAt: string;
  /** spec.service of the SLO: the workload when the metric source does not name one. */
  service: unknown;
  serviceAt: string;
  reader: Reader;
  origins: Origins;
  ignored: FieldError[];
}

const SELECTOR_KEYS = ['namespace', 'workload', 'route', 'method'] as const;

function indicatorFrom(sli: Doc, context: IndicatorContext): Doc {
  const { at, objective, objectiveAt, reader, origins, ignored } = context;
  reader.only(sli, at, 'apiVersion', 'kind', 'metadata', 'spec');
  const metadata = isPlainObject(sli.metadata) ? sli.metadata : {};
  reader.only(metadata, `${at}.metadata`, 'name', 'displayName', 'labels', 'annotations');
  for (const key of ['displayName', 'labels', 'annotations'] as const) {
    if (metadata[key] !== undefined)
      ignored.push({ field: `${at}.metadata.${key}`, message: 'is not kept (only the SLO metadata is)' });
  }
  const spec = reader.object(sli, 'spec', at);
  const out: Doc = {};
  if (!isPlainObject(sli.spec)) return out;
  reader.only(spec, `${at}.spec`, 'description', 'thresholdMetric', 'ratioMetric');
  if (spec.description !== undefined)
    ignored.push({ field: `${at}.spec.description`, message: 'is not kept (the SLO description is)' });

  if (spec.thresholdMetric !== undefined && spec.ratioMetric !== undefined) {
    reader.fail(`${at}.spec`, 'give either thresholdMetric or ratioMetric, not both');
    return out;
  }
  if (spec.thresholdMetric !== undefined) {
    const metricAt = `${at}.spec.thresholdMetric`;
    const metric = reader.metricSource(reader.object(spec, 'thresholdMetric', `${at}.spec`), metricAt);
    if (!metric) return out;
    if (metric.type !== SOURCE_BURNWATCH) {
      reader.fail(
        `${metricAt}.metricSource.type`,
        'must be "burnwatch" for a threshold metric: latency thresholds come from the sensor',
      );
      return out;
    }
    reader.only(metric.spec, metric.at, ...SELECTOR_KEYS, 'percentile');
    if (objective.op !== 'lte')
      reader.fail(
        `${objectiveAt}.op`,
        `must be "lte" for a latency threshold (good when the latency is at most value), got ${show(objective.op)}`,
      );
    if (objective.timeSliceTarget !== undefined)
      reader.fail(
        `${objectiveAt}.timeSliceTarget`,
        'is not supported with a thresholdMetric: a slice is good when the percentile named in the metric source spec is within value',
      );
    out.service = serviceFrom(metric, context);
    out.indicator = { type: 'latency', thresholdMs: objective.value, percentile: metric.spec.percentile };
    origins.set('indicator', `${metricAt}`);
    origins.set('indicator.thresholdMs', `${objectiveAt}.value`);
    origins.set('indicator.percentile', `${metric.at}.percentile`);
    return out;
  }
  if (!isPlainObject(spec.ratioMetric)) {
    reader.fail(`${at}.spec`, 'must have a ratioMetric or a thresholdMetric');
    return out;
  }
  if (objective.value !== undefined)
    reader.fail(`${objectiveAt}.value`, 'applies only to a thresholdMetric, and this SLI has a ratioMetric');
  if (objective.op !== undefined)
    ignored.push({
      field: `${objectiveAt}.op`,
      message: 'has no meaning for a ratioMetric (the target is the share of good events) and is not kept',
    });
  const ratio = spec.ratioMetric;
  const ratioAt = `${at}.spec.ratioMetric`;
  reader.only(ratio, ratioAt, 'counter', 'good', 'bad', 'total');
  if (ratio.counter !== undefined && ratio.counter !== true)
    reader.fail(`${ratioAt}.counter`, 'must be true: Burnwatch reads counters');
  const part = (key: 'good' | 'bad' | 'total') =>
    ratio[key] === undefined
      ? undefined
      : reader.metricSource(reader.object(ratio, key, ratioAt), `${ratioAt}.${key}`);
  const good = part('good');
  const bad = part('bad');
  const total = part('total');
  if (ratio.total === undefined) reader.fail(`${ratioAt}.total`, 'is required');
  if ((ratio.good === undefined) === (ratio.bad === undefined))
    reader.fail(`${ratioAt}.good`, 'give exactly one of good and bad');
  const numerator = good ?? bad;
  if (!numerator || !total) return out;
  if (numerator.type !== total.type) {
    reader.fail(`${ratioAt}.total.metricSource.type`, `must match the numerator's type "${numerator.type}"`);
    return out;
  }
  if (total.type === SOURCE_PROMETHEUS) {
    out.source = { type: 'prometheus' };
    out.service = { workload: context.service };
    origins.set('service', context.serviceAt);
    out.indicator = {
      type: 'ratio',
      ...(good ? { goodQuery: good.query } : { badQuery: bad!.query }),
      totalQuery: total.query,
    };
    origins.set('indicator', ratioAt);
    origins.set(good ? 'indicator.goodQuery' : 'indicator.badQuery', numerator.queryAt!);
    origins.set('indicator.totalQuery', total.queryAt!);
    return out;
  }
  reader.only(total.spec, total.at, ...SELECTOR_KEYS);
  out.service = serviceFrom(total, context);
  origins.set('indicator', ratioAt);
  if (bad) {
    reader.only(bad.spec, bad.at, ...SELECTOR_KEYS, 'errorStatus', 'grpcErrorCodes');
    if (bad.spec.errorStatus === undefined)
      reader.fail(`${bad.at}.errorStatus`, 'is required: the statuses that count as bad, such as "5xx"');
    out.indicator = {
      type: 'errorRate',
      errorStatus: bad.spec.errorStatus,
      ...(bad.spec.grpcErrorCodes === undefined ? {} : { grpcErrorCodes: bad.spec.grpcErrorCodes }),
    };
    origins.set('indicator.errorStatus', `${bad.at}.errorStatus`);
    origins.set('indicator.grpcErrorCodes', `${bad.at}.grpcErrorCodes`);
  } else {
    reader.only(good!.spec, good!.at, ...SELECTOR_KEYS, 'thresholdMs');
    if (good!.spec.thresholdMs === undefined)
      reader.fail(`${good!.at}.thresholdMs`, 'is required: a request is good when answered within it');
    out.indicator = { type: 'latency', thresholdMs: good!.spec.thresholdMs };
    origins.set('indicator.thresholdMs', `${good!.at}.thresholdMs`);
  }
  for (const key of SELECTOR_KEYS) {
    if (numerator.spec[key] !== total.spec[key])
      reader.fail(
        `${numerator.at}.${key}`,
        `must select the same requests as total (${key} ${show(total.spec[key])}), got ${show(numerator.spec[key])}`,
      );
  }
  return out;
}

/** The sensor selector of a metric source; its workload defaults to the SLO's spec.service. */
function serviceFrom(metric: MetricSource, context: IndicatorContext): Doc {
  const service: Doc = {};
  for (const key of SELECTOR_KEYS) {
    if (metric.spec[key] !== undefined) {
      service[key] = metric.spec[key];
      context.origins.set(`service.${key}`, `${metric.at}.${key}`);
    }
  }
  context.origins.set('service', metric.at);
  if (service.workload === undefined && context.service !== undefined) {
    service.workload = context.service;
    context.origins.set('service.workload', context.serviceAt);
  } else if (context.service !== undefined && context.service !== service.workload) {
    context.ignored.push({
      field: context.serviceAt,
      message: `is not kept: the metric source selects the workload ${show(service.workload)}`,
    });
  }
  return service;
}

interface MetricSource {
  type: string;
  spec: Doc;
  /** OpenSLO path of `spec`. */
  at: string;
  /** A Prometheus source's PromQL (spec.query, or spec.promql as Nobl9 writes it) and its path. */
  query?: string;
  queryAt?: string;
}

/** Reads OpenSLO objects, collecting errors with the OpenSLO path rather than Burnwatch's. */
class Reader {
  constructor(
    private readonly errors: FieldError[],
    private readonly dataSources: DataSources = new Map(),
    private readonly ignored: FieldError[] = [],
  ) {}

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

  metricSource(holder: Doc, at: string): MetricSource | undefined {
    this.only(holder, at, 'metricSource');
    const source = holder.metricSource;
    if (!isPlainObject(source)) {
      this.fail(`${at}.metricSource`, source === undefined ? 'is required' : 'must be an object');
      return undefined;
    }
    this.only(source, `${at}.metricSource`, 'metricSourceRef', 'type', 'spec');
    let declared = source.type;
    let from = '';
    if (source.metricSourceRef !== undefined) {
      const refAt = `${at}.metricSource.metricSourceRef`;
      const ref = source.metricSourceRef;
      const dataSource = typeof ref === 'string' ? this.dataSources.get(ref) : undefined;
      if (typeof ref !== 'string') {
        this.fail(refAt, 'must be the name of a DataSource');
        return undefined;
      } else if (dataSource) {
        dataSource.used = true;
        if (declared !== undefined && String(declared).toLowerCase() !== dataSource.type.toLowerCase()) {
          this.fail(
            `${at}.metricSource.type`,
            `is ${show(declared)}, but the DataSource "${ref}" it names (${dataSource.at}) is of type ${show(dataSource.type)}`,
          );
          return undefined;
        }
        declared ??= dataSource.type;
        from = ` (the type of the DataSource "${ref}", ${dataSource.at})`;
      } else if (declared === undefined) {
        this.fail(
          refAt,
          `names no DataSource in this request: ${show(ref)}; send the DataSource document with the SLO, or give the metric source's type inline`,
        );
        return undefined;
      } else {
        this.ignored.push({
          field: refAt,
          message: `names no DataSource in this request and is not kept: the inline type ${show(declared)} and spec are used`,
        });
      }
    }
    const type = typeof declared === 'string' ? declared.toLowerCase() : '';
    if (type !== SOURCE_BURNWATCH && type !== SOURCE_PROMETHEUS) {
      this.fail(
        `${at}.metricSource.type`,
        `must be "burnwatch" (the eBPF sensor) or "Prometheus", got ${show(declared)}${from}`,
      );
      return undefined;
    }
    const specAt = `${at}.metricSource.spec`;
    if (!isPlainObject(source.spec)) {
      this.fail(specAt, source.spec === undefined ? 'is required' : 'must be an object');
      return undefined;
    }
    const spec = source.spec;
    if (type === SOURCE_PROMETHEUS) {
      // Nobl9's Prometheus source spells the query "promql".
      this.only(spec, specAt, 'query', 'promql');
      if (spec.query !== undefined && spec.promql !== undefined) {
        this.fail(`${specAt}.promql`, 'give either query or promql, not both');
        return undefined;
      }
      const key = spec.promql !== undefined ? 'promql' : 'query';
      if (typeof spec[key] !== 'string') {
        this.fail(`${specAt}.${key}`, 'must be a PromQL query');
        return undefined;
      }
      return { type, spec, at: specAt, query: spec[key], queryAt: `${specAt}.${key}` };
    }
    return { type, spec, at: specAt };
  }
}

/** A value for an error message; YAML anchors can make values cyclic or deep, so never stringify objects. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function nameOf(doc: Doc): string | undefined {
  return isPlainObject(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : undefined;
}

/** The "team" label, as a string or a list of one (OpenSLO allows lists); other labels are reported. */
function readTeam(labels: unknown, at: string, reader: Reader, ignored: FieldError[]): unknown {
  if (labels === undefined) return undefined;
  if (!isPlainObject(labels)) {
    reader.fail(at, 'must be a map of label names to a value or a list of values');
    return undefined;
  }
  for (const key of Object.keys(labels)) {
    if (key !== 'team')
      ignored.push({ field: `${at}.${key}`, message: 'is not kept: only the "team" label is' });
  }
  const team = labels.team;
  if (!Array.isArray(team)) return team;
  if (team.length !== 1) {
    reader.fail(`${at}.team`, `must name one team: a Burnwatch SLO belongs to one team, got ${team.length}`);
    return undefined;
  }
  return team[0];
}

/** Burnwatch's own annotations; others are reported as not kept, unknown burnwatch.io/ ones rejected. */
function readAnnotations(annotations: unknown, at: string, reader: Reader, ignored: FieldError[]): Doc {
  if (annotations === undefined) return {};
  if (!isPlainObject(annotations)) {
    reader.fail(at, 'must be a map of annotation names to values');
    return {};
  }
  const known: string[] = Object.values(ANNOTATIONS);
  for (const key of Object.keys(annotations)) {
    if (known.includes(key)) continue;
    if (key.startsWith('burnwatch.io/'))
      reader.fail(`${at}.${key}`, `is not a Burnwatch annotation (known: ${known.join(', ')})`);
    else ignored.push({ field: `${at}.${key}`, message: 'is not a Burnwatch annotation and is not kept' });
  }
  return annotations;
}

/** OpenSLO's calendar windows as Burnwatch reads and writes them: a week, a month or a quarter. */
const CALENDAR_DURATIONS = { week: '1w', month: '1M', quarter: '1Q' } as const;
/** A start that every period of its kind is aligned with (2024-01-01 was a Monday). */
const CALENDAR_START_TIMES = {
  week: '2024-01-01 00:00:00',
  month: '2024-01-01 00:00:00',
  quarter: '2024-01-01 00:00:00',
} as const;

/**
 * `{ duration: 1M, calendar: { startTime, timeZone }, isRolling: false }` → `{ calendar: "month", timeZone }`.
 * Burnwatch's periods start at midnight on the first day (a Monday for weeks): a startTime elsewhere is refused.
 */
function calendarWindowOf(window: Doc, path: string, reader: Reader): unknown {
  const unit = { '1w': 'week', '7d': 'week', '1M': 'month', '1Q': 'quarter', '3M': 'quarter' }[
    String(window.duration)
  ] as 'week' | 'month' | 'quarter' | undefined;
  if (window.isRolling === true) reader.fail(`${path}.isRolling`, 'must be false with a calendar');
  if (!unit) {
    reader.fail(`${path}.duration`, `must be 1w, 1M or 1Q with a calendar, got "${String(window.duration)}"`);
    return undefined;
  }
  const calendar = window.calendar;
  if (!isPlainObject(calendar)) {
    reader.fail(
      `${path}.calendar`,
      'must give startTime and timeZone, such as { startTime: "2024-01-01 00:00:00", timeZone: UTC }',
    );
    return undefined;
  }
  reader.only(calendar, `${path}.calendar`, 'startTime', 'timeZone');
  const timeZone = typeof calendar.timeZone === 'string' ? calendar.timeZone : 'UTC';
  if (
    calendar.timeZone !== undefined &&
    (typeof calendar.timeZone !== 'string' || !isTimeZone(calendar.timeZone))
  ) {
    reader.fail(`${path}.calendar.timeZone`, 'must be an IANA time zone such as "Europe/Berlin"');
    return undefined;
  }
  const startTime = String(calendar.startTime ?? '');
  const start = parseWallTime(startTime);
  if (!start) {
    reader.fail(
      `${path}.calendar.startTime`,
      `must be a date and time such as "2022-01-01 00:00:00" that one ${unit} starts at, got "${startTime}"`,
    );
    return undefined;
  }
  // Midnight on the 1st (on a Monday for weeks) is Burnwatch's default alignment: no anchor to keep.
  const aligned =
    start.hour === 0 &&
    start.minute === 0 &&
    start.second === 0 &&
    (unit === 'week'
      ? new Date(Date.UTC(start.year, start.month - 1, start.day)).getUTCDay() === 1
      : start.day === 1 && (unit === 'month' || (start.month - 1) % 3 === 0));
  if (!aligned) return { calendar: unit, timeZone, start: startTime.replace('T', ' ') };
  return { calendar: unit, timeZone };
}

/** OpenSLO durations may be in weeks, Burnwatch's in days: "2w" is "14d". */
function weeksAsDays(duration: unknown): unknown {
  if (typeof duration !== 'string') return duration;
  const weeks = /^(\d+)w$/.exec(duration);
  return weeks ? `${Number(weeks[1]) * 7}d` : duration;
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
  if (spec.indicator.type === 'ratio') {
    for (const key of SERVICE_ANNOTATIONS) {
      if (spec.service[key] !== undefined) annotations[ANNOTATIONS[key]] = spec.service[key];
    }
  }
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
        metricSource: {
          type: SOURCE_BURNWATCH,
          spec: {
            ...selector,
            errorStatus: indicator.errorStatus,
            ...(indicator.grpcErrorCodes ? { grpcErrorCodes: indicator.grpcErrorCodes } : {}),
          },
        },
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
  // OpenSLO names are DNS labels too (at most 63 characters): a long SLO name lends its SLI its own name.
  const sliName = spec.name.length <= 59 ? `${spec.name}-sli` : spec.name;
  sloSpec.indicator = { metadata: { name: sliName }, spec: sliSpec };
  sloSpec.timeWindow = [
    typeof spec.window === 'string'
      ? { duration: spec.window, isRolling: true }
      : {
          duration: CALENDAR_DURATIONS[spec.window.calendar],
          calendar: {
            startTime: spec.window.start ?? CALENDAR_START_TIMES[spec.window.calendar],
            timeZone: spec.window.timeZone,
          },
          isRolling: false,
        },
  ];
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

/** The YAML of `toOpenSlo`; `corrections` (the API's create shapes) travel in the burnwatch.io/corrections annotation. */
export function toOpenSloYaml(spec: SloSpec, corrections: unknown[] = []): string {
  const document = toOpenSlo(spec);
  if (corrections.length > 0) {
    const metadata = document.metadata as Doc;
    metadata.annotations = {
      ...((metadata.annotations as Doc | undefined) ?? {}),
      [ANNOTATIONS.corrections]: JSON.stringify(corrections),
    };
  }
  return stringify(document, { lineWidth: 0 });
}
