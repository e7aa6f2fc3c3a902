/** Builds the BPF programs and the loader once before the sensor tests. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  execFileSync('make', ['-s', '-C', path.join(root, 'bpf')], { stdio: 'inherit' });
}
