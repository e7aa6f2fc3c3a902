/**
 * Whether an error means the database could not be reached or did not answer in time (rather than refusing a
 * query): the API then answers 503 with this reason instead of a 500. Reads node-postgres' and TypeORM's errors
 * without importing either.
 */
export function databaseUnavailableReason(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = error as Record<string, unknown> | undefined; e && typeof e === 'object';) {
    if (seen.has(e)) break;
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (NETWORK_CODES.has(code) || code.startsWith('08')) return 'the database is unreachable';
    if (code === '57P01' || code === '57P02' || code === '57P03')
      return 'the database is shutting down or starting';
    if (code === '57014') return 'the database did not answer within the statement timeout';
    if (/timeout exceeded when trying to connect|Connection terminated|Query read timeout/i.test(message))
      return 'the database is unreachable or did not answer in time';
    e = (e.driverError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);
