import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from './sensor-host.js';

const prebuilt = path.join(PACKAGE_ROOT, 'bpf', 'prebuilt');
const arches = existsSync(prebuilt) ? readdirSync(prebuilt) : [];

describe('the prebuilt BPF loader', () => {
  it('ships for x86_64', () => {
    expect(arches).toContain('x86_64');
  });

  it.each(arches)(
    'for %s was built from the bpf/ sources as they are (else: npm run build:bpf-prebuilt)',
    (arch) => {
      const recorded = readFileSync(path.join(prebuilt, arch, 'SOURCES'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/) as [string, string]);
      const current = recorded.map(([, file]) => [
        createHash('sha256')
          .update(readFileSync(path.join(PACKAGE_ROOT, 'bpf', file)))
          .digest('hex'),
        file,
      ]);
      expect(current).toEqual(recorded);
      expect(existsSync(path.join(prebuilt, arch, 'burnwatch-loader'))).toBe(true);
    },
  );
});
