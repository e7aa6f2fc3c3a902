import { describe, expect, it } from 'vitest';
import { ifMatchAllows } from './etag.js';

describe('If-Match', () => {
  it.each([
    { name: 'no header lets the write go ahead', header: undefined, allowed: true },
    { name: 'the current tag matches', header: '"7-a"', allowed: true },
    { name: 'a star matches any current representation', header: ' * ', allowed: true },
    { name: 'a list holding the current tag matches', header: '"6-a", "7-a"', allowed: true },
    { name: 'an older tag does not match', header: '"6-a"', allowed: false },
    { name: 'a weak tag never matches (strong comparison)', header: 'W/"7-a"', allowed: false },
    { name: 'an unquoted tag is not a tag', header: '7-a', allowed: false },
    { name: 'an empty header matches nothing', header: '', allowed: false },
  ])('$name', ({ header, allowed }) => {
    expect(ifMatchAllows(header, '"7-a"')).toBe(allowed);
  });
});
