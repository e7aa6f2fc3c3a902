// Client for bench/sensor/tls-calls.ts, run by a copy of node under another name (its OpenSSL is not probed, so
// the probes counted are the server's). Usage: tls-client.mjs h1|h2 PORT N. N requests one after another on one
// keep-alive connection; prints nothing, exits 0 when all were answered 200.
import https from 'node:https';
import http2 from 'node:http2';
import process from 'node:process';

const [mode, port, n] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

async function h1() {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < n; i++) {
    const status = await new Promise((resolve, reject) => {
      const req = https.get(
        { host: '127.0.0.1', port, path: '/calls', agent, rejectUnauthorized: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
    });
    if (status !== 200) throw new Error(`status ${status}`);
  }
  agent.destroy();
}

async function h2() {
  const s = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
  for (let i = 0; i < n; i++) {
    const status = await new Promise((resolve, reject) => {
      const req = s.request({ ':path': '/calls' });
      let st = 0;
      req.on('response', (h) => (st = Number(h[':status'])));
      req.on('end', () => resolve(st));
      req.on('error', reject);
      req.resume();
      req.end();
    });
    if (status !== 200) throw new Error(`status ${status}`);
  }
  await new Promise((r) => s.close(r));
}

await (mode === 'h2' ? h2() : h1());
