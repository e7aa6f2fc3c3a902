/**
 * The loader's HPACK decoder (bpf/hpack.c) on its own, as C: bpf/test_hpack.c holds RFC 7541 Appendix C
 * (C.2 literal forms, C.3/C.4 requests without and with Huffman, C.5/C.6 responses with evictions at a
 * 256-byte table) and the cases the decoder must refuse rather than guess (an index beyond the table, a
 * truncated integer or string, bad Huffman padding, EOS, an oversized table size update).
 * `make -C bpf test` builds it with ASan/UBSan and runs it; here the sensor tier (which has the C toolchain)
 * runs that target and reads its summary line.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bpf = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bpf');

describe('HPACK decoder (bpf/hpack.c)', () => {
  it('decodes every RFC 7541 Appendix C vector and refuses malformed blocks', () => {
    const run = spawnSync('make', ['-s', '-C', bpf, 'test'], { encoding: 'utf8' });
    const out = `${run.stdout}${run.stderr}`;
    expect(out).not.toContain('FAIL');
    const summary = /hpack: (\d+) passed, (\d+) failed/.exec(out);
    expect(summary, out).not.toBeNull();
    expect(Number(summary![2])).toBe(0);
    expect(Number(summary![1])).toBeGreaterThanOrEqual(100);
    expect(run.status, out).toBe(0);
  });
});
