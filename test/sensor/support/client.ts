/** HTTP clients for the sensor tests. Loopback only; every loop is bounded by its caller's count. */
import http from 'node:http';
import net from 'node:net';

export interface Answer {
  readonly status: number;
  readonly bodyBytes: number;
  readonly reusedSocket: boolean;
}

export function request(
  port: number,
  path: string,
  opts: { method?: string; body?: Buffer; agent?: http.Agent | false } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        agent: opts.agent ?? false,
        headers: opts.body ? { 'content-length': opts.body.length } : {},
      },
      (res) => {
        let bodyBytes = 0;
        res.on('data', (c: Buffer) => (bodyBytes += c.length));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, bodyBytes, reusedSocket: req.reusedSocket }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer for ${path} within 15 s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** `n` requests one after the other, each on a new connection. */
export async function freshRequests(port: number, path: string, n: number): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < n; i++) out.push(await request(port, path));
  return out;
}

/** Writes `bytes` in one write on a new connection and reads until `responses` status lines came back or the peer closed. */
export function rawExchange(
  port: number,
  bytes: Buffer,
  responses: number,
  timeoutMs = 10_000,
  halfClose = false,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => (halfClose ? socket.end(bytes) : socket.write(bytes)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if ((received.match(/HTTP\/1\.[01] \d{3}/g) ?? []).length >= responses) finish();
    });
    socket.on('error', finish);
    socket.on('end', finish);
  });
}

/** `count` GET requests for `path` pipelined in a single write; resolves with the responses' status codes. */
export async function pipelined(port: number, paths: string[]): Promise<number[]> {
  const bytes = Buffer.from(
    paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''),
    'latin1',
  );
  const text = await rawExchange(port, bytes, paths.length);
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}
