import { describe, expect, it } from 'vitest';
import { numbersOf } from './sli-repository.js';

describe('numbers from a Postgres array in its text form', () => {
  it.each([
    { name: 'an empty array', text: '{}', numbers: [] },
    { name: 'no array (null)', text: null, numbers: [] },
    { name: 'whole numbers', text: '{0,7,4294967295,12}', numbers: [0, 7, 4294967295, 12] },
    { name: 'one number', text: '{9007199254740991}', numbers: [9007199254740991] },
    { name: 'fractions and exponents', text: '{1.5,2e+20,3}', numbers: [1.5, 2e20, 3] },
    { name: 'negative numbers', text: '{-1,2}', numbers: [-1, 2] },
  ])('reads $name', ({ text, numbers }) => {
    expect(numbersOf(text)).toEqual(numbers);
  });
});
