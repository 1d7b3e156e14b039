/** The training code's identity: sha256 over the contents of the sources that decide what a run
 * computes (model, loop, kernels and their compiled module, data loading, shape inference, result
 * encoding, the run executor). Content only: no file names enter the hash, so moving a file
 * within the set keeps it. IO at the edge; the hash is taken once per process. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** relative to the package root; folders are walked */
const CODE_SET = ['src/train', 'src/engine', 'src/data', 'src/spec/network.ts', 'src/result/canonical.ts', 'src/run/runSpec.ts', 'dist/kernels.wasm'];

function walk(p: string, out: string[]): void {
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) for (const f of readdirSync(p)) walk(join(p, f), out);
  else out.push(p);
}

export function codeFiles(root = ROOT): string[] {
  const out: string[] = [];
  for (const p of CODE_SET) walk(join(root, p), out);
  return out.sort();
}

const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');

let cached: string | null = null;
/** sha256 over the sorted sha256 of each file's bytes */
export function codeHash(root = ROOT): string {
  if (cached && root === ROOT) return cached;
  const d = sha256(`normreg-code/2\n${codeFiles(root).map((f) => sha256(readFileSync(f))).sort().join('\n')}\n`);
  if (root === ROOT) cached = d;
  return d;
}
