/**
 * Route templates: turns request paths into low-cardinality `http_route` values,
 * and caps how many distinct routes one service may have. Pure.
 *
 * Each segment goes through four steps (docs/metrics.md, `http_route`):
 *   1. `;params` are dropped (`/cart;jsessionid=…` is `/cart`);
 *   2. percent-escapes are decoded (`%31%32%33` is `123`), except where the decoded character would read as
 *      path, parameter, template or label syntax, or is invisible: those stay escaped, in upper case;
 *   3. a segment that names one value (number, UUID, hash, date, e-mail address, `123.png`) becomes a
 *      placeholder;
 *   4. whatever is left is exported as decoded.
 */

export const ID_PLACEHOLDER = '{id}';
export const DATE_PLACEHOLDER = '{date}';
export const EMAIL_PLACEHOLDER = '{email}';
/** Stands for the last segment of a path that the kernel's capture cut. */
export const TRUNCATED_PLACEHOLDER = '{truncated}';
/** The route of every request past a service's cap. */
export const OVERFLOW_ROUTE = '__overflow__';

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Short git-style hashes and object ids: 7+ hex characters with at least one digit (so `facade` stays).
const SHORT_HEX = /^(?=.*\d)[0-9a-f]{7,}$/i;
// Long hex strings are ids even without a digit.
const HEX_HASH = /^[0-9a-f]{16,}$/i;
// Opaque tokens (base64url ids, ULIDs, …): long, and mixing letters with digits.
const OPAQUE = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}$/;
// 2024-01-31, 2024-01, 2024-01-31T10:20:30.123Z, 2024-01-31T10:20+02:00.
const DATE =
  /^(\d{4})-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?)?$/;
const EMAIL = /^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
// `123.png`, `9f86d08.tar.gz`: a value with a file extension (which starts with a letter, so `1.5` is not one).
const WITH_EXTENSION = /^([^.]+)\.([A-Za-z][A-Za-z0-9]{0,9}(?:\.[A-Za-z0-9]{1,10})*)$/;

export function isIdSegment(segment: string): boolean {
  return (
    NUMERIC.test(segment) ||
    UUID.test(segment) ||
    SHORT_HEX.test(segment) ||
    HEX_HASH.test(segment) ||
    OPAQUE.test(segment)
  );
}

export function isDateSegment(segment: string): boolean {
  const m = DATE.exec(segment);
  if (!m) return false;
  const month = Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
}

/** The placeholder for a decoded segment that names one value, or null for a segment to keep. */
export function placeholderFor(segment: string): string | null {
  if (isIdSegment(segment)) return ID_PLACEHOLDER;
  if (isDateSegment(segment)) return DATE_PLACEHOLDER;
  if (EMAIL.test(segment)) return EMAIL_PLACEHOLDER;
  const ext = WITH_EXTENSION.exec(segment);
  if (ext) {
    const stem = isIdSegment(ext[1]!) ? ID_PLACEHOLDER : isDateSegment(ext[1]!) ? DATE_PLACEHOLDER : null;
    if (stem) return `${stem}.${ext[2]}`;
  }
  return null;
}

/**
 * ASCII characters that stay percent-encoded after decoding: path and parameter delimiters (a decoded `%2F` is
 * not a new segment), `%` itself (so decoding is done once), the braces of placeholders, the quote and
 * backslash of label syntax, and the space that ends a request target.
 */
const KEEP_ENCODED = new Set([...'/?#;%{}"\\ ']);
// Visible non-ASCII: letters, marks, digits, punctuation, symbols. Not controls, format characters
// (bidirectional overrides), private use, unassigned code points or separators.
const VISIBLE_UNICODE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function needsDecoding(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x25 || c === 0x7b || c === 0x7d || c === 0x22 || c === 0x5c)
      return true;
  }
  return false;
}

/**
 * Decodes the percent-escapes of one path segment. Characters that would change the route's structure, read as
 * template or label syntax, or be invisible (controls, bidirectional overrides, …) come out percent-encoded,
 * whether they arrived encoded or raw; bytes that are not UTF-8 stay encoded.
 */
export function decodeSegment(raw: string): string {
  if (!needsDecoding(raw)) return raw; // the common case: nothing to do
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && i + 2 < raw.length && isHex(raw.charCodeAt(i + 1)) && isHex(raw.charCodeAt(i + 2))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(raw[i]!, 'utf8'));
    }
  }
  const buffer = Uint8Array.from(bytes);
  let text: string;
  try {
    text = utf8.decode(buffer);
  } catch {
    // Not UTF-8: keep the printable ASCII and escape every other byte.
    let out = '';
    for (const b of buffer) {
      const ch = String.fromCharCode(b);
      out += b > 0x20 && b < 0x7f && !KEEP_ENCODED.has(ch) ? ch : escapeBytes(Uint8Array.of(b));
    }
    return out;
  }
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const visible =
      code < 0x80 ? code > 0x20 && code < 0x7f && !KEEP_ENCODED.has(ch) : VISIBLE_UNICODE.test(ch);
    out += visible ? ch : escapeBytes(Buffer.from(ch, 'utf8'));
  }
  return out;
}

/**
 * `/users/123/orders/9f86d081884c7d65` → `/users/{id}/orders/{id}`; `/users/%31%32%33` → `/users/{id}`;
 * `/cart;jsessionid=A1B2` → `/cart`. A cut path loses its last (partial) segment to `{truncated}`, unless the
 * cut fell inside that segment's `;params` (its name is whole).
 */
export function templatePath(path: string, truncated = false): string {
  if (path === '*' || !path.startsWith('/')) return path === '*' ? '*' : '/';
  const segments = path.split('/').slice(1);
  const out = segments.map((s) => {
    const semicolon = s.indexOf(';');
    const decoded = decodeSegment(semicolon === -1 ? s : s.slice(0, semicolon));
    return placeholderFor(decoded) ?? decoded;
  });
  if (truncated && !segments[segments.length - 1]!.includes(';')) {
    out[out.length - 1] = TRUNCATED_PLACEHOLDER;
  }
  return '/' + out.join('/');
}

/** Keeps at most `maxPerService` distinct routes per service; later ones get OVERFLOW_ROUTE. */
export class RouteCardinalityLimiter {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly maxPerService: number) {
    if (!Number.isInteger(maxPerService) || maxPerService < 1) {
      throw new RangeError(`maxPerService must be a positive integer, got ${maxPerService}`);
    }
  }

  /** The route to export for `route` of `service`; `overflowed` tells when it was capped. */
  admit(service: string, route: string): { route: string; overflowed: boolean } {
    let routes = this.seen.get(service);
    if (!routes) {
      routes = new Set();
      this.seen.set(service, routes);
    }
    if (routes.has(route)) return { route, overflowed: false };
    if (routes.size >= this.maxPerService) return { route: OVERFLOW_ROUTE, overflowed: true };
    routes.add(route);
    return { route, overflowed: false };
  }
}
