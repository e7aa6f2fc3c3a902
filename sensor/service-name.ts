/**
 * `service_name` outside Kubernetes. Pure: the caller reads /proc/<pid>/comm, cgroup and cmdline.
 *
 * Every Node app on a host is `node` and every Python app `python3` by process name, so, in this order:
 *   1. the systemd unit the process runs in (`/system.slice/checkout.service` → `checkout`);
 *   2. for interpreters and the JVM (node, python*, java, ruby, php), the script, module or jar on the command
 *      line (`node /srv/checkout/dist/main.js` → `checkout`, `java -jar billing-2.4.1.jar` → `billing`);
 *   3. the process name.
 * Then `BURNWATCH_SENSOR_SERVICE_NAMES` may rename the result.
 */

export type ServiceNameSource = 'unit' | 'cmdline';
export const SERVICE_NAME_SOURCES: readonly ServiceNameSource[] = ['unit', 'cmdline'];

export interface ServiceNaming {
  /** Which sources are tried, in order, before the process name; empty: the process name only. */
  readonly sources: readonly ServiceNameSource[];
  /** Renames: derived name (or process name) → the service name to export. */
  readonly renames: ReadonlyMap<string, string>;
}

export const DEFAULT_SERVICE_NAMING: ServiceNaming = { sources: SERVICE_NAME_SOURCES, renames: new Map() };

/** Where a service name came from (the agent counts them, so a guess is never silent). */
export type ServiceNameOrigin = 'unit' | 'cmdline' | 'comm';

export interface ProcessFacts {
  readonly comm: string;
  /** Contents of /proc/<pid>/cgroup, or null when unreadable. */
  readonly cgroup: string | null;
  /** argv from /proc/<pid>/cmdline, or null when unreadable. */
  readonly argv: readonly string[] | null;
}

// Units that hold whatever a user or the system starts, not one service.
const NOT_A_SERVICE_UNIT = /^(user|user-runtime-dir|getty|serial-getty|systemd-.*|session-\d+)$/;

/** systemd's unit-name escaping: `\x2d` is `-`. */
function unescapeUnit(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The service unit a process runs in, from its cgroup path (v2 `0::/…`, or v1 `name=systemd`): the innermost
 * `*.service` (so `user@1000.service/app.slice/api.service` is `api`), without its `@instance` (instances of
 * `worker@.service` are one service). The user manager, gettys and systemd's own units are not services.
 */
export function unitFromCgroup(cgroup: string): string | null {
  let path: string | null = null;
  for (const line of cgroup.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first === -1 || second === -1) continue;
    const controllers = line.slice(first + 1, second);
    const p = line.slice(second + 1).trim();
    if (controllers === '' || controllers === 'name=systemd') {
      // cgroup v2's line wins over v1's name=systemd, which can lag behind.
      if (path === null || controllers === '') path = p;
    }
  }
  if (!path) return null;
  const units = path.split('/').filter((c) => c.endsWith('.service'));
  const unit = units[units.length - 1];
  if (!unit) return null;
  const name = unescapeUnit(unit.slice(0, -'.service'.length)).split('@')[0]!;
  if (!name || NOT_A_SERVICE_UNIT.test(name)) return null;
  return cleanName(name);
}

/** Interpreters whose process name says nothing about the program. */
type Runtime = 'node' | 'python' | 'java' | 'ruby' | 'php';

/**
 * By process name only: a process that renamed itself (`process.title`, `prctl(PR_SET_NAME)`, `setproctitle`)
 * chose its name, and keeps it.
 */
export function runtimeOf(comm: string): Runtime | null {
  if (comm === 'node' || comm === 'nodejs') return 'node';
  if (/^python[0-9.]*$/.test(comm)) return 'python';
  if (comm === 'java') return 'java';
  if (/^ruby[0-9.]*$/.test(comm)) return 'ruby';
  if (/^php[0-9.]*$/.test(comm) || /^php-cgi[0-9.]*$/.test(comm)) return 'php';
  return null;
}

// Options that take the next argument as their value (so that value is not the script).
const VALUE_OPTIONS: Record<Runtime, ReadonlySet<string>> = {
  node: new Set([
    '-r',
    '--require',
    '--import',
    '--loader',
    '--experimental-loader',
    '--env-file',
    '--title',
  ]),
  python: new Set(['-W', '-X', '--check-hash-based-pycs']),
  java: new Set([
    '-cp',
    '-classpath',
    '--class-path',
    '-p',
    '--module-path',
    '--add-opens',
    '--add-exports',
    '--add-modules',
    '--add-reads',
  ]),
  ruby: new Set(['-I', '-r', '-C', '-E', '--encoding']),
  php: new Set(['-c', '-d', '-S', '-t', '-z']),
};
// Options after which no script follows (the program is inline, or the runtime only reports something).
const NO_SCRIPT_OPTIONS: Record<Runtime, ReadonlySet<string>> = {
  node: new Set(['-e', '--eval', '-p', '--print', '-v', '--version', '-h', '--help']),
  python: new Set(['-c', '-V', '--version', '-h', '--help']),
  java: new Set(['-version', '--version', '-h', '-help', '--help']),
  ruby: new Set(['-e', '-v', '--version', '-h', '--help']),
  php: new Set(['-r', '-v', '--version', '-h', '--help', '-a']),
};

// Entry files and build directories named after their role, not the program: look one directory up.
const GENERIC = new Set([
  'index',
  'main',
  'server',
  'app',
  'start',
  'run',
  'cli',
  'manage',
  'wsgi',
  'asgi',
  '__main__',
  'dist',
  'build',
  'out',
  'lib',
  'src',
  'bin',
  'public',
  'www',
  'html',
  'current', // Capistrano-style release directories
]);

// Where programs are put, not what they are called: the walk up stops before these.
const CONTAINER_DIRS = new Set([
  'srv',
  'opt',
  'home',
  'usr',
  'var',
  'app',
  'apps',
  'code',
  'tmp',
  'root',
  'workspace',
]);

function basename(p: string): string {
  const parts = p.split('/').filter((s) => s.length > 0);
  return parts[parts.length - 1] ?? '';
}

/** `checkout-service-1.4.2.jar`, `billing-2.0.0-SNAPSHOT.jar` → `checkout-service`, `billing`. */
function jarName(jar: string): string {
  return basename(jar)
    .replace(/\.(jar|war)$/i, '')
    .replace(/[-_]v?\d+(\.\d+)*([-.][A-Za-z0-9]+)*$/, '');
}

/**
 * The program's name from a script path: `/srv/checkout/dist/main.js` → `checkout`; a file or directory whose
 * name is a role (`main`, `index`, `dist`, `src`, …) gives way to the directory above it.
 */
function scriptName(script: string, extensions: RegExp): string | null {
  const parts = script.split('/').filter((s) => s.length > 0 && s !== '.' && s !== '..');
  if (parts.length === 0) return null;
  parts[parts.length - 1] = parts[parts.length - 1]!.replace(extensions, '');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!.toLowerCase();
    if (CONTAINER_DIRS.has(part) && i < parts.length - 1) break;
    if (!GENERIC.has(part)) return parts[i]!;
  }
  return parts[parts.length - 1]!;
}

function firstOperand(runtime: Runtime, args: readonly string[]): { operand: string; flag?: string } | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (NO_SCRIPT_OPTIONS[runtime].has(a)) return null;
    if (runtime === 'python' && a === '-m') return args[i + 1] ? { operand: args[i + 1]!, flag: '-m' } : null;
    if (runtime === 'java' && (a === '-jar' || a === '-m' || a === '--module'))
      return args[i + 1] ? { operand: args[i + 1]!, flag: a } : null;
    if (a === '--') return args[i + 1] ? { operand: args[i + 1]! } : null;
    if (VALUE_OPTIONS[runtime].has(a)) {
      if (runtime === 'php' && a === '-t' && args[i + 1]) {
        // The built-in server's document root names the app when no router script follows.
        const rest = firstOperand(runtime, args.slice(i + 2));
        return rest ?? { operand: args[i + 1]!, flag: '-t' };
      }
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return { operand: a };
  }
  return null;
}

/** The script, module or jar an interpreter runs, as a service name; null when the command line names none. */
export function nameFromCommandLine(comm: string, argv: readonly string[]): string | null {
  const runtime = runtimeOf(comm);
  if (!runtime) return null;
  const found = firstOperand(runtime, argv.slice(1));
  if (!found) return null;
  const { operand, flag } = found;
  let name: string | null;
  switch (runtime) {
    case 'node':
      name = scriptName(operand, /\.(m?js|cjs|ts|mts|cts)$/);
      break;
    case 'python':
      // `-m uvicorn`, `-m http.server`: the module is the program.
      name = flag === '-m' ? operand : scriptName(operand, /\.pyc?$/);
      break;
    case 'java':
      if (flag === '-jar') name = jarName(operand);
      else if (flag)
        name = operand.split('/')[0]!; // module/main.Class: the module
      else name = operand.split('.').pop() ?? null; // the main class, without its package
      break;
    case 'ruby':
      name = scriptName(operand, /\.rb$/);
      break;
    case 'php':
      name = scriptName(operand, /\.php$/);
      break;
  }
  return name ? cleanName(name) : null;
}

/** Only characters that read well in a label and a URL; at most 63 (a DNS label, like workload names). */
function cleanName(name: string): string | null {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 63);
  return cleaned.length > 0 ? cleaned : null;
}

/** The service name of a process outside Kubernetes, and where it came from. */
export function serviceNameOf(
  facts: ProcessFacts,
  naming: ServiceNaming = DEFAULT_SERVICE_NAMING,
): { name: string; origin: ServiceNameOrigin } {
  let derived: { name: string; origin: ServiceNameOrigin } = { name: facts.comm, origin: 'comm' };
  for (const source of naming.sources) {
    const name =
      source === 'unit'
        ? facts.cgroup && unitFromCgroup(facts.cgroup)
        : facts.argv && facts.argv.length > 0
          ? nameFromCommandLine(facts.comm, facts.argv)
          : null;
    if (name) {
      derived = { name, origin: source };
      break;
    }
  }
  const renamed = naming.renames.get(derived.name);
  return renamed ? { name: renamed, origin: derived.origin } : derived;
}

/** `from=to,from=to` → a map; the problems name each bad pair. */
export function parseRenames(raw: string): { renames: Map<string, string>; problems: string[] } {
  const renames = new Map<string, string>();
  const problems: string[] = [];
  for (const pair of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const from = pair.slice(0, eq).trim();
    const to = pair.slice(eq + 1).trim();
    if (eq <= 0 || !to || /[^A-Za-z0-9._@-]/.test(from) || /[^A-Za-z0-9._-]/.test(to)) {
      problems.push(`'${pair}': want derived-name=service-name (letters, digits, '.', '_', '-')`);
    } else renames.set(from, to);
  }
  return { renames, problems };
}
