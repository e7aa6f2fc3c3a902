import { resolve } from 'node:path';
import { parseLabelSelector } from '../integrations/kubernetes/sensor-discovery.js';
import { parseDurationSeconds } from '../slo/domain/duration.js';

/** Everything Burnwatch reads from its environment, parsed once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Unset: run on the embedded PostgreSQL (PGlite) under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** When set, every write to the API needs `Authorization: Bearer <token>`. */
  apiToken: string | undefined;
  logLevel: LogLevel;
  kubernetes: KubernetesConfig;
  engine: EngineConfig;
  /** Base URL of Burnwatch's UI as users reach it, for links in messages (no trailing slash). */
  publicUrl: string;
  slack: SlackConfig;
  sensor: SensorSupervisionConfig;
}

/** The sensor the service starts on its own machine (src/integrations/sensor). */
export interface SensorSupervisionConfig {
  /** auto: start the sensor as a child process where it can run (Linux, root, kernel BTF); off: never. */
  mode: 'auto' | 'off';
}

/** The change log and correlation (docs/kubernetes.md). */
export interface KubernetesConfig {
  /** auto: watch the cluster when a kubeconfig or the in-cluster service account is there; off: never. */
  mode: 'auto' | 'off';
  /** KUBECONFIG: a kubeconfig file (its current context). Unset: the in-cluster service account. */
  kubeconfig: string | undefined;
  /** How far before a burn began the correlation looks for deploys and events. */
  lookbackSeconds: number;
  /** How long the change log keeps deploys, scale events and folded events. */
  retentionSeconds: number;
}

export interface EngineConfig {
  /** Sensor /metrics URLs to scrape (BURNWATCH_SCRAPE_TARGETS). */
  scrapeTargets: string[];
  scrapeIntervalSeconds: number;
  evalIntervalSeconds: number;
  /** Fewer events than this in a window and the window is not judged, unless an SLO says otherwise. */
  minEvents: number;
  /** No event for longer than this and an SLO is `stale` (BURNWATCH_STALE_AFTER). */
  staleAfterSeconds: number;
  /**
   * SLI data older than this is pruned (kept per hour beyond the engine's 26 h of minutes): at least the longest
   * SLO window plus a day.
   */
  retentionDays: number;
  prometheusUrl: string | undefined;
  /** Turns the scheduled scrape and evaluation off (tests drive them by hand). */
  schedule: boolean;
  /** In a cluster, sensor pods (matched by these labels) are scraped too, on this port. */
  sensorDiscovery: { labels: Record<string, string>; port: number };
}

/** Slack delivery: the Web API client and the notification outbox's timing. */
export interface SlackConfig {
  /** Unset: dry-run, messages are logged and kept instead of sent. */
  botToken: string | undefined;
  /**
   * The app's signing secret: Slack signs each interaction (a button, a modal) with it. Unset: no buttons on
   * messages and POST /api/v1/slack/interactions answers 503.
   */
  signingSecret: string | undefined;
  /** Base URL of the Web API, ending in a slash. */
  apiUrl: string;
  /** Channel for SLOs without `notify.slackChannel`. */
  defaultChannel: string | undefined;
  /** One Web API call's time limit; an alert's lease is derived from it. */
  requestTimeoutMs: number;
  /** How often the dispatcher looks for pending notifications. */
  dispatchIntervalMs: number;
  /** First retry delay after a transient failure; doubles per attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A notification still undelivered this long after its transition is marked failed. */
  giveUpAfterMs: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface ConfigProblem {
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      'Burnwatch cannot start, its configuration is invalid:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads every variable and reports all bad ones at once, so a user fixes them in one go. */
export function loadConfig(env: Env = process.env): Config {
  const problems: ConfigProblem[] = [];
  const read = <T>(variable: string, parse: (raw: string) => T, fallback: T): T => {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parse(raw.trim());
    } catch (error) {
      problems.push({ variable, message: (error as Error).message });
      return fallback;
    }
  };

  const config: Config = {
    port: read('PORT', parsePort, 8080),
    host: read('HOST', (raw) => raw, '0.0.0.0'),
    databaseUrl: read('DATABASE_URL', parseDatabaseUrl, undefined),
    dataDir: read('BURNWATCH_DATA_DIR', (raw) => resolve(raw), resolve('.data')),
    apiToken: read('BURNWATCH_API_TOKEN', parseToken, undefined),
    logLevel: read('BURNWATCH_LOG_LEVEL', parseLogLevel, 'info'),
    kubernetes: {
      mode: read('BURNWATCH_KUBERNETES', parseKubernetesMode, 'auto'),
      kubeconfig: read('KUBECONFIG', (raw) => resolve(raw.split(':')[0]!), undefined),
      lookbackSeconds: read('BURNWATCH_KUBERNETES_LOOKBACK', parseDuration, 2 * 3600),
      retentionSeconds: read('BURNWATCH_KUBERNETES_RETENTION', parseDuration, 30 * 86400),
    },
    engine: {
      scrapeTargets: read('BURNWATCH_SCRAPE_TARGETS', parseUrlList, []),
      scrapeIntervalSeconds: read('BURNWATCH_SCRAPE_INTERVAL_SECONDS', parsePositiveSeconds, 15),
      evalIntervalSeconds: read('BURNWATCH_EVAL_INTERVAL_SECONDS', parsePositiveSeconds, 30),
      minEvents: read('BURNWATCH_MIN_EVENTS', parseWholeNumber, 20),
      staleAfterSeconds: read('BURNWATCH_STALE_AFTER', parseDuration, 5 * 60),
      retentionDays: read('BURNWATCH_RETENTION_DAYS', parseRetentionDays, 100),
      prometheusUrl: read('BURNWATCH_PROMETHEUS_URL', (raw) => parseUrlList(raw)[0], undefined),
      schedule: true,
      sensorDiscovery: {
        labels: read('BURNWATCH_SENSOR_SELECTOR', parseLabelSelector, {
          'app.kubernetes.io/name': 'burnwatch-sensor',
        }),
        port: read('BURNWATCH_SENSOR_PORT', parsePort, 9464),
      },
    },
    publicUrl: read(
      'BURNWATCH_PUBLIC_URL',
      (raw) => parseHttpUrl(raw).replace(/\/+$/, ''),
      'http://localhost:8080',
    ),
    slack: {
      botToken: read('SLACK_BOT_TOKEN', parseSlackToken, undefined),
      signingSecret: read('SLACK_SIGNING_SECRET', parseSigningSecret, undefined),
      apiUrl: read(
        'SLACK_API_URL',
        (raw) => parseHttpUrl(raw).replace(/\/*$/, '/'),
        'https://slack.com/api/',
      ),
      defaultChannel: read('SLACK_DEFAULT_CHANNEL', parseSlackChannel, undefined),
      requestTimeoutMs: read('SLACK_TIMEOUT_SECONDS', secondsToMs, 10_000),
      dispatchIntervalMs: read('SLACK_DISPATCH_INTERVAL_SECONDS', secondsToMs, 2_000),
      retryBaseMs: read('SLACK_RETRY_BASE_SECONDS', secondsToMs, 5_000),
      retryMaxMs: read('SLACK_RETRY_MAX_SECONDS', secondsToMs, 300_000),
      giveUpAfterMs: read('SLACK_GIVE_UP_AFTER_SECONDS', secondsToMs, 86_400_000),
    },
    sensor: { mode: read('BURNWATCH_SENSOR', parseSensorMode, 'auto') },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 0 || port > 65535) {
    throw new Error(`must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL like postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`must start with postgres:// or postgresql://, got "${url.protocol}//"`);
  }
  return raw;
}

function parseToken(raw: string): string {
  if (raw.length < 16) throw new Error('must be at least 16 characters long');
  return raw;
}

function parseLogLevel(raw: string): LogLevel {
  const level = raw.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

function parseKubernetesMode(raw: string): KubernetesConfig['mode'] {
  const mode = raw.toLowerCase();
  if (mode !== 'auto' && mode !== 'off') throw new Error(`must be "auto" or "off", got "${raw}"`);
  return mode;
}

function parseSensorMode(raw: string): SensorSupervisionConfig['mode'] {
  const mode = raw.toLowerCase();
  if (mode !== 'auto' && mode !== 'off') throw new Error(`must be "auto" or "off", got "${raw}"`);
  return mode;
}

/** "2h", "30d": a positive duration with a unit (s, m, h, d, w). */
function parseDuration(raw: string): number {
  const seconds = parseDurationSeconds(raw);
  if (seconds === undefined) throw new Error(`must be a duration such as "90m", "2h" or "30d", got "${raw}"`);
  return seconds;
}

/** Parses a positive number of seconds (used by the engine's intervals). */
export function parsePositiveSeconds(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`must be a positive number of seconds, got "${raw}"`);
  return value;
}

function parseUrlList(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      let url: URL;
      try {
        url = new URL(part);
      } catch {
        throw new Error(`"${part}" is not a URL such as http://10.0.0.5:9464/metrics`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new Error(`"${part}" must be an http(s) URL`);
      return part;
    });
}

function parseWholeNumber(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new Error(`must be a whole number, got "${raw}"`);
  return Number(raw);
}

function parseRetentionDays(raw: string): number {
  const days = parseWholeNumber(raw);
  if (days < 1 || days > 400) throw new Error(`must be from 1 to 400 days, got "${raw}"`);
  return days;
}

function secondsToMs(raw: string): number {
  return Math.round(parsePositiveSeconds(raw) * 1000);
}

function parseHttpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`must be a URL like https://burnwatch.example.com, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`must start with http:// or https://, got "${url.protocol}//"`);
  }
  return raw;
}

function parseSlackToken(raw: string): string {
  if (!/^xox[a-z]-\S+$/.test(raw)) throw new Error('must be a Slack bot token (it starts with "xoxb-")');
  return raw;
}

/** Slack's signing secrets are 32 hex digits; anything much shorter is a paste gone wrong. */
function parseSigningSecret(raw: string): string {
  if (!/^\S{16,}$/.test(raw)) {
    throw new Error(
      "must be the Slack app's signing secret (Basic Information → App Credentials), 16+ characters",
    );
  }
  return raw;
}

/** A Slack channel as the SLO schema accepts it: "#name" or an ID such as "C0123ABCD". */
export const SLACK_CHANNEL_PATTERN = /^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$/;

export function parseSlackChannel(raw: string): string {
  if (!SLACK_CHANNEL_PATTERN.test(raw)) {
    throw new Error(
      `must be a channel name such as "#payments-oncall" or an ID such as "C0123ABCD", got "${raw}"`,
    );
  }
  return raw;
}
