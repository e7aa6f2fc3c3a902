import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';

export type ContentCoding = 'br' | 'gzip' | 'identity';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
/** Below this a compressed answer saves less than its headers and the work cost. */
const MIN_COMPRESSED_BYTES = 1024;
const BROTLI_QUALITY = 5;

/**
 * A JSON answer kept as bytes with its strong ETag, built once and sent to every client that asks for the same
 * thing: a list polled by many clients must not be serialised, hashed or compressed per request. The gzip and br
 * forms are made on the first request that accepts them (off the event loop, in zlib's thread pool) and kept.
 */
export class CachedBody {
  readonly etag: string;
  private readonly encoded = new Map<'br' | 'gzip', Promise<Buffer>>();

  constructor(readonly body: Buffer) {
    this.etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  }

  /** A representation's own strong tag: the compressed forms are other bytes (RFC 9110 §8.8.3). */
  etagFor(coding: ContentCoding): string {
    return coding === 'identity' ? this.etag : `${this.etag.slice(0, -1)}.${coding}"`;
  }

  bytes(coding: ContentCoding): Promise<Buffer> {
    if (coding === 'identity') return Promise.resolve(this.body);
    let bytes = this.encoded.get(coding);
    if (!bytes) {
      bytes =
        coding === 'gzip'
          ? gzipAsync(this.body)
          : brotliAsync(this.body, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: this.body.length,
              },
            });
      // A failed compression is not kept: the next request tries again.
      bytes.catch(() => this.encoded.delete(coding));
      this.encoded.set(coding, bytes);
    }
    return bytes;
  }

  /** Whether an If-None-Match header names any representation of this body (weak comparison, §13.1.2). */
  matches(ifNoneMatch: string | undefined): boolean {
    if (ifNoneMatch === undefined) return false;
    if (ifNoneMatch.trim() === '*') return true;
    const tags = new Set((['identity', 'gzip', 'br'] as const).map((c) => this.etagFor(c)));
    return [...ifNoneMatch.matchAll(/(?:W\/)?("[^"]*")/g)].some((m) => tags.has(m[1]!));
  }
}

/**
 * The coding to answer with for an Accept-Encoding header: br, else gzip, by the client's q-values (a `*` covers
 * codings it does not name); identity when it accepts neither or the body is too small to gain.
 */
export function negotiateCoding(acceptEncoding: string | undefined, size: number): ContentCoding {
  if (acceptEncoding === undefined || size < MIN_COMPRESSED_BYTES) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const of = (coding: string) => q.get(coding) ?? q.get('*') ?? 0;
  const br = of('br');
  const gzipQ = of('gzip');
  if (br <= 0 && gzipQ <= 0) return 'identity';
  return br >= gzipQ ? 'br' : 'gzip';
}

/**
 * Sends a cached body: 304 when the client holds it (If-None-Match), otherwise its bytes in the best coding the
 * client accepts, with its ETag and `Vary: Accept-Encoding`.
 */
export async function sendCachedBody(
  request: Request,
  response: Response,
  cached: CachedBody,
): Promise<void> {
  const coding = negotiateCoding(request.headers['accept-encoding'], cached.body.length);
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Vary', 'Accept-Encoding');
  response.setHeader('ETag', cached.etagFor(coding));
  if (cached.matches(request.headers['if-none-match'])) {
    response.status(304).end();
    return;
  }
  const bytes = await cached.bytes(coding);
  if (coding !== 'identity') response.setHeader('Content-Encoding', coding);
  response.setHeader('Content-Length', bytes.length);
  response.status(200).end(bytes);
}
