// The demo's sample workload: a small shop API on plain node:http, started by scripts/demo.mjs.
// Outside Kubernetes the sensor names a node process after its script, so this one reports as
// service_name="burnwatch-demo-shop" (docs/metrics.md, "service_name outside Kubernetes").
//
//   node burnwatch-demo-shop.mjs --version 1 [--port N]   release 1: answers 200 in 5 to 40 ms
//   node burnwatch-demo-shop.mjs --version 2 --port N     release 2, the bad one: a quarter of the answers
//                                                         are 503, and half take 400 to 900 ms
//
// Prints "listening <port>" on stdout once it accepts connections; exits 0 on SIGTERM or SIGINT.
import http from 'node:http';
import process from 'node:process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { version: { type: 'string', default: '1' }, port: { type: 'string', default: '0' } },
});
const release = Number(values.version);
const bad = release >= 2;

const products = [
  { id: 1, name: 'Kettle', price: 39 },
  { id: 2, name: 'Teapot', price: 24 },
  { id: 3, name: 'Mug', price: 9 },
];

const between = (min, max) => min + Math.random() * (max - min);

function answer(req) {
  const url = new URL(req.url ?? '/', 'http://shop');
  if (req.method === 'GET' && url.pathname === '/api/products') return [200, products];
  const one = /^\/api\/products\/(\d+)$/.exec(url.pathname);
  if (req.method === 'GET' && one) {
    const product = products.find((p) => p.id === Number(one[1]));
    return product ? [200, product] : [404, { error: 'no such product' }];
  }
  if (req.method === 'POST' && url.pathname === '/api/checkout') return [200, { order: Date.now() }];
  return [404, { error: 'not found' }];
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    let [status, body] = answer(req);
    let delayMs = between(5, 40);
    if (bad) {
      if (Math.random() < 0.25) [status, body] = [503, { error: 'upstream connection pool exhausted' }];
      if (Math.random() < 0.5) delayMs = between(400, 900);
    }
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-release': String(release) });
      res.end(JSON.stringify(body));
    }, delayMs);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
