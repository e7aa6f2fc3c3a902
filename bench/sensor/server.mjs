// Benchmark target: a Node http server. argv[2]: "trivial" or "1ms" (a handler that waits 1 ms).
import http from 'node:http';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const slow = process.argv[2] === '1ms';
process.title = slow ? 'bench-1ms' : 'bench-trivial';
const server = http.createServer((req, res) => {
  if (slow) setTimeout(() => res.end('ok'), 1);
  else res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
