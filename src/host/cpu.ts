/** The CPU a number was measured on: vendor, family, model and SIMD flags from /proc/cpuinfo, so
 * that every speed ratio and every TensorFlow result carries its machine (oneDNN picks kernels by
 * these flags, and the wasm engine's speed differs twofold between CPU families). */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { execFileSync } from 'node:child_process';

export interface CpuFacts {
  vendor: string;
  family: number | null;
  model: number | null;
  modelName: string;
  logicalCpus: number;
  /** the SIMD extensions that matter for the kernels (x86: sse4_2 .. avx512*, amx*; arm: asimd, sve) */
  simd: string[];
}

const SIMD = /^(sse4_1|sse4_2|avx|avx2|fma|f16c|avx512\w*|avx_vnni|amx\w*|asimd\w*|sve\w*|neon)$/;

/** Parses the first processor block of /proc/cpuinfo (x86 and arm64 spellings). Pure. */
export function parseCpuInfo(text: string, logicalCpus: number): CpuFacts {
  const first = text.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first);
    return m ? m[1].trim() : undefined;
  };
  const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number.isFinite(Number(s)) ? Number(s) : null);
  const flags = (field('flags') ?? field('Features') ?? '').split(/\s+/).filter((f) => SIMD.test(f));
  return {
    vendor: field('vendor_id') ?? field('CPU implementer') ?? 'unknown',
    family: num(field('cpu family') ?? field('CPU architecture')),
    model: num(field('model') ?? field('CPU part')),
    modelName: field('model name') ?? 'unknown',
    logicalCpus,
    simd: [...new Set(flags)].sort(),
  };
}

export function readCpuFacts(): CpuFacts {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch { /* not Linux: only what os.cpus() knows */ }
  const f = parseCpuInfo(text, cpus().length);
  return f.modelName === 'unknown' ? { ...f, modelName: cpus()[0]?.model ?? 'unknown' } : f;
}

/** The one CPU label of a run's facts and of every speed sample (the estimator matches on it). */
export const cpuLabel = () => `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`;

/** The commit checked out in `cwd`, or null outside git. */
export function gitCommit(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}
