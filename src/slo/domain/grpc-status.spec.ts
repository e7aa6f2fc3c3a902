import { describe, expect, it } from 'vitest';
import { DEFAULT_GRPC_ERROR_CODES, grpcStatusName, isGrpcError } from './grpc-status.js';

describe('grpcStatusName', () => {
  it.each([
    { token: 'UNAVAILABLE', name: 'UNAVAILABLE' },
    { token: 'unavailable', name: 'UNAVAILABLE' },
    { token: 14, name: 'UNAVAILABLE' },
    { token: '14', name: 'UNAVAILABLE' },
    { token: 0, name: 'OK' },
    { token: 16, name: 'UNAUTHENTICATED' },
    { token: 17, name: null },
    { token: 'UNAVAILIBLE', name: null },
    { token: 1.5, name: null },
  ])('reads $token as $name', ({ token, name }) => expect(grpcStatusName(token)).toBe(name));
});

describe('isGrpcError with the default codes (OpenTelemetry: a server span is an error for these)', () => {
  it.each([
    { code: 0, error: false, why: 'OK' },
    { code: 1, error: false, why: 'CANCELLED by the caller' },
    { code: 2, error: true, why: 'UNKNOWN' },
    { code: 3, error: false, why: 'INVALID_ARGUMENT is the caller’s' },
    { code: 4, error: true, why: 'DEADLINE_EXCEEDED' },
    { code: 5, error: false, why: 'NOT_FOUND is an answer' },
    { code: 12, error: true, why: 'UNIMPLEMENTED' },
    { code: 13, error: true, why: 'INTERNAL' },
    { code: 14, error: true, why: 'UNAVAILABLE' },
    { code: 15, error: true, why: 'DATA_LOSS' },
    { code: 16, error: false, why: 'UNAUTHENTICATED is the caller’s' },
    { code: 99, error: true, why: 'a code gRPC does not define counts as UNKNOWN' },
  ])('$code: $why', ({ code, error }) => expect(isGrpcError(code)).toBe(error));

  it('counts exactly the listed codes when the SLO lists them', () => {
    expect(isGrpcError(5, ['NOT_FOUND'])).toBe(true);
    expect(isGrpcError(14, ['NOT_FOUND'])).toBe(false);
    expect(DEFAULT_GRPC_ERROR_CODES).toHaveLength(6);
  });
});
