import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** The built UI (`npm run build:ui` → ui/dist) at the package root, found from this file in src/ or dist/src/. */
export function uiDistDir(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'ui'))) return join(dir, 'ui', 'dist');
    const parent = dirname(dir);
    if (parent === dir) return join(start, 'ui', 'dist');
    dir = parent;
  }
}

/** Content-Security-Policy of the UI: only its own scripts and the API; uPlot and Preact set inline styles. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Serves the hashed files of the built UI under /assets/ (cached for a year: their names change with them). */
export function serveUiAssets(app: NestExpressApplication, dir: string = uiDistDir()): void {
  app.useStaticAssets(join(dir, 'assets'), {
    prefix: '/assets/',
    index: false,
    immutable: true,
    maxAge: '365d',
    fallthrough: true,
  });
}

/** index.html of the built UI, or a page that says how to build it. Read per request: a rebuild needs no restart. */
export async function readIndexHtml(dir: string = uiDistDir()): Promise<{ html: string; built: boolean }> {
  try {
    return { html: await readFile(join(dir, 'index.html'), 'utf8'), built: true };
  } catch {
    return { html: NOT_BUILT, built: false };
  }
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Burnwatch: UI not built</title></head>
<body><main>
<h1>Burnwatch's UI is not built</h1>
<p>The service and its API run, but the web UI has not been built in this copy. Build it with
<code>npm run build</code> (or only the UI with <code>npm run build:ui</code>), then reload this page.</p>
<p>The API is described at <a href="/api/docs">/api/docs</a>.</p>
</main></body></html>
`;
