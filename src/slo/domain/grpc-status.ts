/**
 * gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), by number: a gRPC call's outcome.
 * gRPC answers HTTP 200 for most failed calls, so an error-rate SLO on a gRPC service judges `grpc-status`.
 */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;
export type GrpcStatusName = (typeof GRPC_STATUS_NAMES)[number];

/**
 * The codes that count as errors when an SLO does not say: the ones OpenTelemetry's semantic conventions mark as a
 * server span's error (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS). The others
 * (NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED, …) are the caller's mistakes or answers, like HTTP 4xx.
 */
export const DEFAULT_GRPC_ERROR_CODES: readonly GrpcStatusName[] = [
  'UNKNOWN',
  'DEADLINE_EXCEEDED',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
];

/** A code's name from its name in any case (`unavailable`) or its number (14, "14"); null for neither. */
export function grpcStatusName(token: string | number): GrpcStatusName | null {
  if (typeof token === 'number' || /^\d+$/.test(token.trim())) {
    const code = Number(token);
    return Number.isInteger(code) ? (GRPC_STATUS_NAMES[code] ?? null) : null;
  }
  const name = token.trim().toUpperCase();
  return (GRPC_STATUS_NAMES as readonly string[]).includes(name) ? (name as GrpcStatusName) : null;
}

/** Does a call that ended with `code` count as an error, given the SLO's codes (the default when it names none)? */
export function isGrpcError(
  code: number,
  errorCodes: readonly GrpcStatusName[] = DEFAULT_GRPC_ERROR_CODES,
): boolean {
  const name = GRPC_STATUS_NAMES[code];
  // A code outside 0–16 is not one gRPC defines: a failure, as gRPC itself treats it (UNKNOWN).
  return name === undefined ? errorCodes.includes('UNKNOWN') : errorCodes.includes(name);
}
