import { describe, expect, it } from 'vitest';
import { applyMergePatch, nestsDeeperThan } from './merge-patch.js';

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

describe('applyMergePatch and "__proto__"', () => {
  it('keeps a "__proto__" key of the patch as an own field rather than setting the prototype', () => {
    const patch = JSON.parse('{"__proto__": {"displayName": "x"}}') as unknown;
    const result = applyMergePatch({ name: 'a' }, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['name', '__proto__']);
    expect(result.displayName).toBeUndefined();
  });
});

describe('nestsDeeperThan', () => {
  const nested = (depth: number) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };
  it.each([
    { name: 'a scalar nests no level', value: 'x', max: 0, deeper: false },
    { name: 'an object of scalars nests one level', value: { a: 1 }, max: 1, deeper: false },
    { name: 'an object of scalars is deeper than zero levels', value: { a: 1 }, max: 0, deeper: true },
    { name: 'arrays count as levels', value: [[1]], max: 1, deeper: true },
    { name: 'eight levels are not deeper than eight', value: nested(8), max: 8, deeper: false },
    { name: 'nine levels are deeper than eight', value: nested(9), max: 8, deeper: true },
    {
      name: 'a hundred thousand levels are answered without a stack overflow',
      value: nested(100_000),
      max: 32,
      deeper: true,
    },
  ])('$name', ({ value, max, deeper }) => {
    expect(nestsDeeperThan(value, max)).toBe(deeper);
  });
});
