import { describe, expect, it } from 'vitest';
import { dataSourceOptions } from './data-source-options.js';

describe('dataSourceOptions', () => {
  it.each([
    { name: 'keeps the one embedded connection open when idle', poolSize: 1, idle: 0 },
    { name: 'lets a server pool close idle connections after 10 s', poolSize: 10, idle: 10_000 },
  ])('$name', ({ poolSize, idle }) => {
    const options = dataSourceOptions({ url: 'postgres://postgres@127.0.0.1:5432/x', poolSize });
    expect(options.extra).toMatchObject({ max: poolSize, idleTimeoutMillis: idle });
  });

  it('bounds statements and queries on a server database, not on the embedded one', () => {
    expect(dataSourceOptions({ url: 'postgres://h/x', poolSize: 10 }).extra).toMatchObject({
      connectionTimeoutMillis: 5_000,
      statement_timeout: 15_000,
      query_timeout: 20_000,
    });
    expect(dataSourceOptions({ url: 'postgres://h/x', poolSize: 1 }).extra).not.toHaveProperty(
      'statement_timeout',
    );
  });

  it('never synchronises the schema: it changes only through migrations', () => {
    expect(dataSourceOptions({ url: 'postgres://h/x', poolSize: 1 }).synchronize).toBe(false);
  });
});
