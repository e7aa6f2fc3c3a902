import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostProcFs } from './identity.js';
import {
  nameFromCommandLine,
  parseRenames,
  serviceNameOf,
  unitFromCgroup,
  type ServiceNaming,
} from './service-name.js';

describe('unitFromCgroup', () => {
  it.each([
    { name: 'a system service (cgroup v2)', cgroup: '0::/system.slice/checkout.service\n', unit: 'checkout' },
    {
      name: 'a service under the user manager',
      cgroup: '0::/user.slice/user-1000.slice/user@1000.service/app.slice/api.service\n',
      unit: 'api',
    },
    {
      name: 'an instance of a template unit',
      cgroup: '0::/system.slice/system-worker.slice/worker@3.service',
      unit: 'worker',
    },
    { name: 'systemd escapes decoded', cgroup: '0::/system.slice/shop\\x2dapi.service', unit: 'shop-api' },
    {
      name: 'cgroup v1 name=systemd when there is no v2 path',
      cgroup: '12:pids:/system.slice/nginx.service\n1:name=systemd:/system.slice/nginx.service\n',
      unit: 'nginx',
    },
    {
      name: 'a login session is not a service',
      cgroup: '0::/user.slice/user-1000.slice/session-4.scope',
      unit: null,
    },
    {
      name: 'the user manager itself is not a service',
      cgroup: '0::/user.slice/user-1000.slice/user@1000.service/init.scope',
      unit: null,
    },
    {
      name: 'a Docker container scope is not a service',
      cgroup: `0::/system.slice/docker-${'a'.repeat(64)}.scope`,
      unit: null,
    },
    {
      name: 'a getty is not a service',
      cgroup: '0::/system.slice/system-getty.slice/getty@tty1.service',
      unit: null,
    },
    { name: 'the root cgroup', cgroup: '0::/\n', unit: null },
  ])('$name', ({ cgroup, unit }) => {
    expect(unitFromCgroup(cgroup)).toBe(unit);
  });
});

describe('nameFromCommandLine', () => {
  it.each([
    { name: 'a node script', comm: 'node', argv: ['node', '/srv/checkout.js'], service: 'checkout' },
    {
      name: 'an entry file directly in a container directory keeps its own name',
      comm: 'node',
      argv: ['node', '/app/dist/index.js'],
      service: 'index',
    },
    {
      name: 'a node entry file gives way to its project',
      comm: 'node',
      argv: ['/usr/bin/node', '/srv/checkout/dist/main.js'],
      service: 'checkout',
    },
    {
      name: 'node options before the script',
      comm: 'node',
      argv: ['node', '--enable-source-maps', '-r', 'dotenv/config', 'billing.mjs'],
      service: 'billing',
    },
    { name: 'node -e runs no script', comm: 'node', argv: ['node', '-e', 'require("http")'], service: null },
    {
      name: 'a python script',
      comm: 'python3',
      argv: ['python3', '-u', '/opt/shop/inventory.py'],
      service: 'inventory',
    },
    {
      name: 'python -m names the module',
      comm: 'python3',
      argv: ['python3', '-m', 'http.server', '8000'],
      service: 'http.server',
    },
    {
      name: 'python manage.py gives way to its project',
      comm: 'python3.11',
      argv: ['python3.11', '/srv/blog/manage.py', 'runserver'],
      service: 'blog',
    },
    { name: 'python -c runs no script', comm: 'python3', argv: ['python3', '-c', 'print(1)'], service: null },
    {
      name: 'python -X takes a value',
      comm: 'python3',
      argv: ['python3', '-X', 'dev', 'api.py'],
      service: 'api',
    },
    {
      name: 'a java jar without its version',
      comm: 'java',
      argv: ['java', '-Xmx512m', '-jar', '/app/billing-service-2.4.1.jar'],
      service: 'billing-service',
    },
    {
      name: 'a snapshot jar',
      comm: 'java',
      argv: ['java', '-jar', 'orders-0.1.0-SNAPSHOT.jar'],
      service: 'orders',
    },
    {
      name: 'a java main class without its package',
      comm: 'java',
      argv: ['java', '-cp', 'lib/*:.', '-Dx=y', 'com.example.shop.CartServer'],
      service: 'CartServer',
    },
    { name: 'a ruby script', comm: 'ruby', argv: ['ruby', '-Ilib', 'bin/catalog.rb'], service: 'catalog' },
    {
      name: 'a php script',
      comm: 'php',
      argv: ['php', '-d', 'memory_limit=1G', 'worker.php'],
      service: 'worker',
    },
    {
      name: "php's built-in server names its document root",
      comm: 'php8.2',
      argv: ['php8.2', '-S', '0.0.0.0:8000', '-t', '/var/www/shop/public'],
      service: 'shop',
    },
    {
      name: 'a renamed node process is left alone',
      comm: 'api-gateway',
      argv: ['api-gateway'],
      service: null,
    },
    { name: 'nginx is not an interpreter', comm: 'nginx', argv: ['nginx: worker process'], service: null },
    {
      name: 'odd characters are replaced',
      comm: 'node',
      argv: ['node', 'my app (v2).js'],
      service: 'my-app-v2',
    },
  ])('$name', ({ comm, argv, service }) => {
    expect(nameFromCommandLine(comm, argv)).toBe(service);
  });
});

describe('serviceNameOf', () => {
  const naming = (over: Partial<ServiceNaming> = {}): ServiceNaming => ({
    sources: ['unit', 'cmdline'],
    renames: new Map(),
    ...over,
  });
  const facts = {
    comm: 'node',
    cgroup: '0::/system.slice/storefront.service',
    argv: ['node', '/srv/web/server.js'],
  };

  it.each([
    { name: 'the unit comes first', n: naming(), f: facts, want: { name: 'storefront', origin: 'unit' } },
    {
      name: 'then the command line',
      n: naming(),
      f: { ...facts, cgroup: '0::/user.slice/user-0.slice/session-1.scope' },
      want: { name: 'web', origin: 'cmdline' },
    },
    {
      name: 'then the process name',
      n: naming(),
      f: { comm: 'node', cgroup: null, argv: ['node'] },
      want: { name: 'node', origin: 'comm' },
    },
    {
      name: 'sources can be reordered',
      n: naming({ sources: ['cmdline', 'unit'] }),
      f: facts,
      want: { name: 'web', origin: 'cmdline' },
    },
    {
      name: 'no sources: the process name only, as before',
      n: naming({ sources: [] }),
      f: facts,
      want: { name: 'node', origin: 'comm' },
    },
    {
      name: 'a rename applies to the derived name',
      n: naming({ renames: new Map([['storefront', 'shop-web']]) }),
      f: facts,
      want: { name: 'shop-web', origin: 'unit' },
    },
  ])('$name', ({ n, f, want }) => {
    expect(serviceNameOf(f, n)).toEqual(want);
  });

  it('parses renames and names each bad pair', () => {
    expect([...parseRenames('py-server=shop, node = edge').renames]).toEqual([
      ['py-server', 'shop'],
      ['node', 'edge'],
    ]);
    expect(parseRenames('a=b,=c,d=,e=f g').problems).toHaveLength(3);
  });
});

/** Real processes, their real /proc/<pid>/cmdline: what the sensor reads on a host. */
describe('service names of real processes', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-names-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function nameOfRunning(cmd: string, args: string[], cwd?: string): Promise<string> {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd });
    children.push(child);
    // Each program prints a line once it is running (its interpreter has set up argv by then).
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout!.once('data', () => resolve());
    });
    const proc = new HostProcFs();
    const pid = child.pid!;
    const comm = (await proc.comm(pid))!;
    const name = serviceNameOf({ comm, cgroup: await proc.cgroup(pid), argv: await proc.cmdline(pid) }).name;
    child.kill('SIGKILL');
    return name;
  }

  const hang = 'setInterval(() => {}, 1000); console.log("up");';
  const pyHang = 'import time\nprint("up", flush=True)\ntime.sleep(60)\n';

  it('a node script in a project directory is named after the project', async () => {
    mkdirSync(path.join(dir, 'checkout', 'dist'), { recursive: true });
    const script = path.join(dir, 'checkout', 'dist', 'main.js');
    writeFileSync(script, hang);
    expect(await nameOfRunning(process.execPath, ['--no-warnings', script])).toBe('checkout');
  });

  it('a python script is named after the script', async () => {
    const script = path.join(dir, 'inventory.py');
    writeFileSync(script, pyHang);
    expect(await nameOfRunning('python3', ['-u', script])).toBe('inventory');
  });

  it('python -m is named after the module', async () => {
    mkdirSync(path.join(dir, 'pkg'), { recursive: true });
    writeFileSync(path.join(dir, 'pkg', '__init__.py'), '');
    writeFileSync(path.join(dir, 'pkg', 'reports.py'), pyHang);
    expect(await nameOfRunning('python3', ['-m', 'pkg.reports'], dir)).toBe('pkg.reports');
  });

  it('a java jar is named after the jar without its version', async () => {
    // A jar whose main class prints and sleeps, built with the JDK's own tools when they are installed.
    const javac = spawnSync('javac', ['-version']);
    if (javac.status !== 0) return expect.fail('javac is not installed: the jar case needs a JDK');
    const src = path.join(dir, 'Main.java');
    writeFileSync(
      src,
      'public class Main { public static void main(String[] a) throws Exception { System.out.println("up"); Thread.sleep(60000); } }',
    );
    expect(spawnSync('javac', ['-d', dir, src]).status).toBe(0);
    const jar = path.join(dir, 'billing-service-2.4.1.jar');
    expect(spawnSync('jar', ['cfe', jar, 'Main', '-C', dir, 'Main.class']).status).toBe(0);
    expect(await nameOfRunning('java', ['-Xmx64m', '-jar', jar])).toBe('billing-service');
  }, 60_000); // javac, jar and a JVM start: seconds on a loaded machine
});
