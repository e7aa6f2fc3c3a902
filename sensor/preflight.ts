/** Privilege check before the kernel is asked anything. Pure. */

/** CAP_BPF (39), CAP_PERFMON (38), CAP_SYS_ADMIN (21) from /proc/self/status CapEff. */
export function missingPrivileges(capEffHex: string, uid: number): string | null {
  if (uid === 0) return null;
  const caps = BigInt(`0x${capEffHex.trim() || '0'}`);
  const has = (bit: number) => (caps >> BigInt(bit)) & 1n;
  if (has(21)) return null;
  const missing = [
    [39, 'CAP_BPF'],
    [38, 'CAP_PERFMON'],
  ]
    .filter(([bit]) => !has(bit as number))
    .map(([, name]) => name);
  return missing.length
    ? `not running as root and missing ${missing.join(' and ')}: run as root (sudo npm run sensor), or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE`
    : null;
}
