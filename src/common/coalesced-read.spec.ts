import { describe, expect, it } from 'vitest';
import { CoalescedRead } from './coalesced-read.js';

/** A read the test finishes by hand; each call is numbered. */
function manualReads() {
  const pending: ((value: number) => void)[] = [];
  let started = 0;
  const read = new CoalescedRead<number>(() => {
    const n = ++started;
    return new Promise<number>((resolve) => pending.push(() => resolve(n)));
  });
  return {
    read,
    started: () => started,
    finish: async () => {
      pending.shift()!(0);
      // Let the promise chains settle.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe('CoalescedRead', () => {
  it('gives a caller that arrives while a read runs the next read, not the running one', async () => {
    const reads = manualReads();
    const first = reads.read.get();
    const second = reads.read.get();
    const third = reads.read.get();
    expect(reads.started()).toBe(1);
    await reads.finish();
    await expect(first).resolves.toBe(1);
    // The two late callers share read 2, which started after both of them asked.
    expect(reads.started()).toBe(2);
    await reads.finish();
    await expect(second).resolves.toBe(2);
    await expect(third).resolves.toBe(2);
  });

  it('starts a fresh read for a caller that arrives when none runs', async () => {
    const reads = manualReads();
    const first = reads.read.get();
    await reads.finish();
    await expect(first).resolves.toBe(1);
    const later = reads.read.get();
    expect(reads.started()).toBe(2);
    await reads.finish();
    await expect(later).resolves.toBe(2);
  });

  it('serves the waiting callers with a new read when the running one fails', async () => {
    let calls = 0;
    const read = new CoalescedRead(async () => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return calls;
    });
    const first = read.get();
    const second = read.get();
    await expect(first).rejects.toThrow('database down');
    await expect(second).resolves.toBe(2);
  });
});
