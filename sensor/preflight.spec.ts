import { describe, expect, it } from 'vitest';
import { missingPrivileges } from './preflight.js';

const bit = (n: number) => (1n << BigInt(n)).toString(16);

describe('missingPrivileges', () => {
  it('accepts root', () => {
    expect(missingPrivileges('0', 0)).toBeNull();
  });
  it('names both capabilities a plain user lacks', () => {
    expect(missingPrivileges('0000000000000000', 1000)).toMatch(/missing CAP_BPF and CAP_PERFMON/);
  });
  it('accepts CAP_BPF with CAP_PERFMON', () => {
    expect(
      missingPrivileges((BigInt(`0x${bit(39)}`) | BigInt(`0x${bit(38)}`)).toString(16), 1000),
    ).toBeNull();
  });
  it('names the one capability that is missing', () => {
    expect(missingPrivileges(bit(39), 1000)).toMatch(/missing CAP_PERFMON:/);
  });
});
