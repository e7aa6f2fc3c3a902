// Benchmark target: a Node http server. argv[2]: "trivial", "1ms" (a handler that waits 1 ms),
// "tls" (the trivial handler behind Node's https; argv[3] and argv[4]: certificate and key files), or
// "h2" (the trivial handler behind Node's http2 in clear text, h2c with prior knowledge).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const kind = process.argv[2];
const slow = kind === '1ms';
process.title = `bench-${kind}`;
const handler = (req, res) => {
  if (slow) setTimeout(() => res.end('ok'), 1);
  else res.end('ok');
};
const server =
  kind === 'tls'
    ? https.createServer({ cert: readFileSync(process.argv[3]), key: readFileSync(process.argv[4]) }, handler)
    : kind === 'h2'
      ? http2.createServer(handler)
      : http.createServer(handler);
if (kind !== 'h2') server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
