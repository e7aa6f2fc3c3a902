/** Real HTTP servers for the sensor tests, each on a loopback port of its own. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface TestServer {
  readonly port: number;
  readonly pid: number;
  readonly name: string;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess, cleanup?: () => void): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      const done = () => {
        cleanup?.();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGTERM');
    });
}

/** Starts a server that prints its port as its first stdout line. */
function startPrintingPort(
  cmd: string,
  args: string[],
  name: string,
  env: Record<string, string> = {},
): Promise<TestServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not print its port`)), 10_000);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ port: Number(line), pid: child.pid!, name, stop: stopChild(child) });
      }
    });
  });
}

export function startNodeServer(title = 'bw-node-fixture'): Promise<TestServer> {
  return startPrintingPort(process.execPath, [path.join(fixtures, 'node-server.mjs'), title], title);
}

/** Node's http2 in clear text (h2c with prior knowledge): fixtures/h2-server.mjs. */
export function startNodeH2Server(title = 'bw-h2-fixture'): Promise<TestServer> {
  return startPrintingPort(process.execPath, [path.join(fixtures, 'h2-server.mjs'), title], title);
}

/** A gRPC server from @grpc/grpc-js (h2c): fixtures/grpc-server.mjs, service bw.test.Echo. */
export function startGrpcServer(title = 'bw-grpc-fixture'): Promise<TestServer> {
  return startPrintingPort(process.execPath, [path.join(fixtures, 'grpc-server.mjs'), title], title);
}

export function startPythonServer(): Promise<TestServer> {
  // service_name: the script, not the interpreter (sensor/service-name.ts).
  return startPrintingPort('python3', [path.join(fixtures, 'py-server.py')], 'py-server');
}

/** Node's http2 over TLS (http2.createSecureServer, ALPN h2): fixtures/h2-server.mjs with a certificate. */
export function startNodeH2TlsServer(cert: string, key: string, title = 'bw-h2-tls'): Promise<TestServer> {
  return startPrintingPort(process.execPath, [path.join(fixtures, 'h2-server.mjs'), title, cert, key], title);
}

/** A gRPC server from @grpc/grpc-js over TLS: fixtures/grpc-server.mjs with a certificate, service bw.test.Echo. */
export function startGrpcTlsServer(cert: string, key: string, title = 'bw-grpc-tls'): Promise<TestServer> {
  return startPrintingPort(
    process.execPath,
    [path.join(fixtures, 'grpc-server.mjs'), title, cert, key],
    title,
  );
}

/**
 * An HTTP/2 server on Debian's python3-h2 that also accepts `Upgrade: h2c` (fixtures/h2c-upgrade-server.py;
 * `refuseUpgrade`: answers such a request in HTTP/1.1 instead). Runs /usr/bin/python3, which has python3-h2.
 */
export function startH2cUpgradeServer(opts: { refuseUpgrade?: boolean } = {}): Promise<TestServer> {
  const args = [
    path.join(fixtures, 'h2c-upgrade-server.py'),
    ...(opts.refuseUpgrade ? ['--refuse-upgrade'] : []),
  ];
  return startPrintingPort('/usr/bin/python3', args, 'h2c-upgrade-server');
}

/** A self-signed certificate and key for localhost, made with the openssl command in a temp dir. */
export function selfSignedCertificate(): { cert: string; key: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key, dir };
}

/** Python's `ssl` module in front of a BaseHTTPRequestHandler (fixtures/tls-server.py); service_name `tls-server`. */
export function startPythonTlsServer(cert: string, key: string): Promise<TestServer> {
  return startPrintingPort('python3', [path.join(fixtures, 'tls-server.py'), cert, key], 'tls-server');
}

/** Node's `https` (OpenSSL inside the node executable, memory BIOs; fixtures/node-https-server.mjs). */
export function startNodeHttpsServer(
  cert: string,
  key: string,
  title = 'bw-node-https',
  node = process.execPath,
): Promise<TestServer> {
  return startPrintingPort(node, [path.join(fixtures, 'node-https-server.mjs'), cert, key, title], title);
}

/** A Python server reading and writing through `mode`'s syscalls (fixtures/syscall-server.py); comm `bw-<mode>`. */
export function startSyscallServer(
  mode: 'msg' | 'vec' | 'plain',
  env: Record<string, string> = {},
): Promise<TestServer> {
  return startPrintingPort('python3', [path.join(fixtures, 'syscall-server.py'), mode], `bw-${mode}`, env);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Bounded wait until something accepts connections on the port. */
async function waitForListener(port: number, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} is not listening on ${port}`);
}

/** `python3 -m http.server` serving `dir` (HTTP/1.0, one request per connection). */
export async function startPlainPythonHttpServer(dir: string): Promise<TestServer> {
  const port = await freePort();
  const child = spawn(
    'python3',
    ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  await waitForListener(port, 'python3 -m http.server');
  return { port, pid: child.pid!, name: 'http.server', stop: stopChild(child) };
}

/**
 * nginx (Debian package) in the foreground with a config of its own in a temp dir (HTTPS when `tls` is given):
 *   /ok → 200, /missing → 404, /sync → 200, /static/ → files (sendfile on), /up/ → proxy to `upstreamPort`.
 * `http2` (or `tls.http2`): `listen ... http2`: HTTP/2 over TLS, or without `tls` h2c with prior knowledge (nginx
 * 1.22 has no `Upgrade: h2c`, and answers an HTTP/1 request on that port with an HTTP/2 GOAWAY). `sendfile: false`
 * turns off the sendfile that Debian's nginx.conf (and this one by default) turns on.
 */
export async function startNginx(
  upstreamPort: number,
  staticFiles: Record<string, Buffer>,
  tls?: { cert: string; key: string; http2?: boolean },
  options: { http2?: boolean; sendfile?: boolean } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-nginx-'));
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'static'));
  for (const [name, content] of Object.entries(staticFiles))
    writeFileSync(path.join(dir, 'static', name), content);
  const port = await freePort();
  const conf = `
daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  sendfile ${options.sendfile === false ? 'off' : 'on'};
  keepalive_requests 1000;
  server {
    listen 127.0.0.1:${port}${tls ? ' ssl' : ''}${(options.http2 ?? tls?.http2) ? ' http2' : ''};
    ${tls ? `ssl_certificate ${tls.cert}; ssl_certificate_key ${tls.key};` : ''}
    location = /ok { return 200 "ok"; }
    location = /missing { return 404; }
    location = /sync { return 200 "sync"; }
    location /static/ { root ${dir}; }
    location /up/ { proxy_pass http://127.0.0.1:${upstreamPort}; }
  }
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForListener(port, 'nginx');
  return {
    port,
    pid: child.pid!,
    name: 'nginx',
    stop: stopChild(child, () => rmSync(dir, { recursive: true, force: true })),
  };
}
