import { BurnwatchError } from './errors.js';
import { UNSTORABLE_TEXT_MESSAGE, isStorableText } from './storable-text.js';

/** Parses an optional whole-number query parameter within bounds, naming the parameter when it is wrong. */
export function intParam(field: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw BurnwatchError.invalid([
      { field, message: `must be a whole number from ${min} to ${max}, got "${text}"` },
    ]);
  }
  return value;
}

export function optionalString(field: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw BurnwatchError.invalid([{ field, message: 'must be given once, as text' }]);
  if (!isStorableText(raw)) throw BurnwatchError.invalid([{ field, message: UNSTORABLE_TEXT_MESSAGE }]);
  return raw;
}
