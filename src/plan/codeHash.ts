/** The training code's identity: sha256 over the sources that decide what a run computes (model,
 * loop, kernels and their compiled module, data loading, result encoding). IO at the edge; the
 * hash is taken once per process. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** relative to the package root; directories are walked */
export const CODE_PATHS = ['src/train', 'src/engine', 'src/data', 'src/result/canonical.ts', 'src/run/runSpec.ts', 'dist/kernels.wasm'];

function walk(p: string, out: string[]): void {
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) walk(join(p, f), out);
  else out.push(p);
}

export function codeFiles(root = ROOT): string[] {
  const out: string[] = [];
  for (const p of CODE_PATHS) walk(join(root, p), out);
  return out;
}

let cached: string | null = null;
export function codeHash(root = ROOT): string {
  if (cached && root === ROOT) return cached;
  const h = createHash('sha256');
  for (const f of codeFiles(root)) {
    h.update(relative(root, f).split('\\').join('/'));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  const d = h.digest('hex');
  if (root === ROOT) cached = d;
  return d;
}
