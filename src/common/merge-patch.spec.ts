import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.js';

describe('applyMergePatch (RFC 7386)', () => {
  it.each([
    { name: 'replaces a value', target: { a: 'b' }, patch: { a: 'c' }, result: { a: 'c' } },
    { name: 'adds a value', target: { a: 'b' }, patch: { b: 'c' }, result: { a: 'b', b: 'c' } },
    { name: 'deletes with null', target: { a: 'b', b: 'c' }, patch: { a: null }, result: { b: 'c' } },
    {
      name: 'merges nested objects',
      target: { a: { b: 'c', d: 'e' } },
      patch: { a: { d: 'f' } },
      result: { a: { b: 'c', d: 'f' } },
    },
    { name: 'replaces arrays whole', target: { a: [1, 2] }, patch: { a: [3] }, result: { a: [3] } },
    {
      name: 'replaces a non-object target',
      target: { a: 'c' },
      patch: { a: { b: 'c' } },
      result: { a: { b: 'c' } },
    },
    { name: 'replaces everything with a non-object patch', target: { a: 'b' }, patch: ['c'], result: ['c'] },
  ])('$name', ({ target, patch, result }) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });
});
