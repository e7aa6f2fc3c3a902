// Benchmark target: a Node http server. argv[2]: "trivial", "1ms" (a handler that waits 1 ms), or
// "tls" (the trivial handler behind Node's https; argv[3] and argv[4]: certificate and key files).
import { readFileSync } from 'node:fs';
import http from 'node:http';
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
    : http.createServer(handler);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
