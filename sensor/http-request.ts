/**
 * Parses the first bytes of an HTTP/1.x request as captured by the kernel
 * (at most REQ_PREFIX_LEN bytes, possibly cut mid-path). Pure.
 */

export const HTTP_METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'CONNECT',
  'TRACE',
] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface RequestLine {
  readonly method: HttpMethod;
  /** Path without query or fragment; for a cut capture, what was captured of it. */
  readonly path: string;
  /** True when the capture ended inside the path. */
  readonly truncated: boolean;
}

const METHODS = new Set<string>(HTTP_METHODS);
const SP = 0x20;

function isTargetByte(b: number): boolean {
  return b > 0x20 && b < 0x7f; // visible ASCII: RFC 9112 request-target has no spaces or controls
}

/**
 * Returns null unless `prefix` starts with `METHOD SP request-target` where the method
 * is known and the target is origin-form ("/…"), absolute-form ("http://h/…") or "*",
 * followed by " HTTP/1." when the capture reaches that far (" HTTP/2" with `http2`, for the records the
 * loader builds from HTTP/2 header blocks).
 */
export function parseRequestLine(prefix: Uint8Array, opts: { http2?: boolean } = {}): RequestLine | null {
  const sp = prefix.indexOf(SP);
  if (sp <= 0 || sp > 7) return null;
  const method = Buffer.from(prefix.subarray(0, sp)).toString('latin1');
  if (!METHODS.has(method)) return null;

  let end = sp + 1;
  while (end < prefix.length && prefix[end] !== SP) {
    if (!isTargetByte(prefix[end]!)) return null;
    end++;
  }
  const target = Buffer.from(prefix.subarray(sp + 1, end)).toString('latin1');
  if (target.length === 0) return null;
  const truncated = end === prefix.length;
  if (!truncated) {
    const version = Buffer.from(prefix.subarray(end + 1, end + 8)).toString('latin1');
    // HTTP/2 records are put together by the loader from :method and :path (bpf/h2.c).
    if (opts.http2 ? version !== 'HTTP/2' : !'HTTP/1.'.startsWith(version)) return null;
  }

  let path: string;
  if (target === '*') {
    path = '*';
  } else if (target.startsWith('/')) {
    path = target;
  } else {
    const m = /^https?:\/\/[^/?#]*(.*)$/i.exec(target);
    if (!m) return null;
    path = m[1] || '/';
  }
  const cut = path.search(/[?#]/);
  const complete = cut !== -1;
  if (complete) path = path.slice(0, cut);
  return { method: method as HttpMethod, path, truncated: truncated && !complete };
}
