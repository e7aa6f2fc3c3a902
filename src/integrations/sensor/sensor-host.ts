/**
 * This machine, as the sensor sees it: the facts planSensor judges, and the fallback build of the loader.
 * Paths are found from the repository (or package) root, so they hold under src/ (tests) and dist/src/.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SensorHostFacts } from './sensor-availability.js';

/** The directory holding bpf/Makefile. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'bpf', 'Makefile'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** bpf/prebuilt/<uname -m>/burnwatch-loader: committed, built by `npm run build:bpf-prebuilt`. */
export function prebuiltLoaderPath(arch: string, root = PACKAGE_ROOT): string {
  return path.join(root, 'bpf', 'prebuilt', arch, 'burnwatch-loader');
}
export const BUILT_LOADER_PATH = path.join(PACKAGE_ROOT, 'bpf', 'build', 'burnwatch-loader');
const SENSOR_ENTRY = path.join(PACKAGE_ROOT, 'dist', 'sensor', 'main.js');

/** Node's arch names as `uname -m` spells them (the prebuilt directory's name). */
export function unameMachine(arch: string = process.arch): string {
  return ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[arch] ?? arch;
}

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = [...(env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'].filter(Boolean);
  return dirs.some((dir) => executable(path.join(dir, command)));
}

/** What bpf/Makefile's `tools` target checks, by the names a user installs. */
function missingBuildTools(env: NodeJS.ProcessEnv): string[] {
  const missing = ['clang', 'llvm-strip', 'bpftool', 'make', 'cc', 'pkg-config'].filter(
    (tool) => !onPath(tool, env),
  );
  if (!existsSync('/usr/include/bpf/libbpf.h')) missing.push('libbpf-dev');
  return missing;
}

export function readHostFacts(env: NodeJS.ProcessEnv = process.env): SensorHostFacts {
  const arch = unameMachine();
  let capEffHex = '0';
  try {
    capEffHex = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  } catch {
    // Not Linux: planSensor says so first.
  }
  const btfPath = env.BURNWATCH_SENSOR_BTF?.trim() || '/sys/kernel/btf/vmlinux';
  const configured = env.BURNWATCH_SENSOR_LOADER?.trim();
  const loaders = [
    ...(configured ? [{ path: configured, origin: 'configured' as const }] : []),
    { path: prebuiltLoaderPath(arch), origin: 'prebuilt' as const },
    { path: BUILT_LOADER_PATH, origin: 'built' as const },
  ];
  return {
    platform: process.platform,
    arch,
    uid: process.getuid?.() ?? -1,
    capEffHex,
    btfPath,
    btfExists: existsSync(btfPath),
    tracefs: ['/sys/kernel/tracing/events', '/sys/kernel/debug/tracing/events'].some((dir) =>
      existsSync(dir),
    ),
    sensorEntry: existsSync(SENSOR_ENTRY) ? SENSOR_ENTRY : null,
    // A configured loader that is not there is not silently replaced by another one.
    loader: configured
      ? executable(configured)
        ? loaders[0]!
        : null
      : (loaders.find((loader) => executable(loader.path)) ?? null),
    badConfiguredLoader: configured && !executable(configured) ? configured : null,
    missingBuildTools: configured ? [] : missingBuildTools(env),
  };
}

/** `make -s -C bpf`: the fallback when no loader ships for this machine. Resolves to the loader's path. */
export function buildLoader(log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const make = spawn('make', ['-s', '-C', path.join(PACKAGE_ROOT, 'bpf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    make.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    make.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    make.on('error', reject);
    make.on('exit', (code) => {
      if (code === 0 && executable(BUILT_LOADER_PATH)) return resolve(BUILT_LOADER_PATH);
      const tail = output.trim().split('\n').slice(-3).join(' | ');
      for (const line of output.trim().split('\n')) if (line) log(line);
      reject(new Error(`make -C bpf failed (status ${code})${tail ? `: ${tail}` : ''}`));
    });
  });
}
