/**
 * Route templates: turns request paths into low-cardinality `http_route` values,
 * and caps how many distinct routes one service may have. Pure.
 */

export const ID_PLACEHOLDER = '{id}';
/** Stands for the last segment of a path that the kernel's capture cut. */
export const TRUNCATED_PLACEHOLDER = '{truncated}';
/** The route of every request past a service's cap. */
export const OVERFLOW_ROUTE = '__overflow__';

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_HASH = /^[0-9a-f]{16,}$/i;
// Opaque tokens (base64url ids, ULIDs, …): long, and mixing letters with digits.
const OPAQUE = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}$/;

export function isIdSegment(segment: string): boolean {
  return NUMERIC.test(segment) || UUID.test(segment) || HEX_HASH.test(segment) || OPAQUE.test(segment);
}

/**
 * `/users/123/orders/9f86d081884c7d65` → `/users/{id}/orders/{id}`.
 * A cut path loses its last (partial) segment to `{truncated}`.
 */
export function templatePath(path: string, truncated = false): string {
  if (path === '*' || !path.startsWith('/')) return path === '*' ? '*' : '/';
  const segments = path.split('/').slice(1);
  const out = segments.map((s) => (isIdSegment(s) ? ID_PLACEHOLDER : s));
  if (truncated) out[out.length - 1] = TRUNCATED_PLACEHOLDER;
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
