import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningBurnwatch } from '../../../src/app.js';
import { uiDistDir } from '../../../src/ui/ui-files.js';
import { ensureUiBuilt } from '../../support/browser.js';
import { apiClient, resetDatabase, startTestApp } from '../../support/app.js';

describe('the service serves its UI', () => {
  let burnwatch: RunningBurnwatch;
  let call: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    await ensureUiBuilt();
    await resetDatabase();
    burnwatch = await startTestApp();
    call = apiClient(burnwatch.url);
  });
  afterAll(() => burnwatch?.close());

  it.each(['/', '/alerts', '/slos/checkout-latency'])('answers %s with the UI page', async (path) => {
    const response = await call('GET', path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.body).toContain('<div id="app"></div>');
  });

  it('serves the hashed assets the page loads, cached for good', async () => {
    const [script] = (await readdir(join(uiDistDir(), 'assets'))).filter((f) => f.endsWith('.js'));
    const response = await fetch(`${burnwatch.url}/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it('leaves the API, health, metrics and API docs to their own handlers', async () => {
    expect((await call('GET', '/api/v1/slos')).body).toMatchObject({ items: [], total: 0 });
    expect((await call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call('GET', '/metrics')).headers.get('content-type')).toContain('text/plain');
    expect((await call('GET', '/api/docs-json')).body.info.title).toBe('Burnwatch API');
  });

  it('keeps unknown paths a JSON 404, not the UI page', async () => {
    for (const path of ['/api/v1/nothing', '/nothing', '/slos', '/slos/a/b', '/assets/missing.js']) {
      const response = await call('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toContain('application/json');
    }
  });

  it('does not list the UI pages in the API description', async () => {
    const paths = Object.keys((await call('GET', '/api/docs-json')).body.paths);
    expect(paths).not.toContain('/');
    expect(paths).not.toContain('/alerts');
  });
});
