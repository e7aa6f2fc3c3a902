import { describe, expect, it } from 'vitest';
import { databaseUnavailableReason } from './database-unavailable.js';

const wrapped = (driverError: object) => Object.assign(new Error('query failed'), { driverError });

describe('databaseUnavailableReason', () => {
  it.each([
    {
      name: 'a refused connection is unreachable',
      error: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
      reason: 'the database is unreachable',
    },
    {
      name: 'a connection exception class (08) is unreachable',
      error: wrapped({ code: '08006' }),
      reason: 'the database is unreachable',
    },
    {
      name: 'a statement timeout says so',
      error: wrapped({ code: '57014', message: 'canceling statement due to statement timeout' }),
      reason: 'the database did not answer within the statement timeout',
    },
    {
      name: 'an administrator shutdown is a database going away',
      error: wrapped({ code: '57P01' }),
      reason: 'the database is shutting down or starting',
    },
    {
      name: "the pool's connect timeout",
      error: new Error('timeout exceeded when trying to connect'),
      reason: 'the database is unreachable or did not answer in time',
    },
    {
      name: 'a connection dropped mid-query',
      error: Object.assign(new Error('outer'), { cause: new Error('Connection terminated unexpectedly') }),
      reason: 'the database is unreachable or did not answer in time',
    },
    {
      name: 'a refused query (unique violation) is not unavailability',
      error: wrapped({ code: '23505' }),
      reason: undefined,
    },
    { name: 'a plain bug is not either', error: new TypeError('x is undefined'), reason: undefined },
  ])('$name', ({ error, reason }) => {
    expect(databaseUnavailableReason(error)).toBe(reason);
  });
});
