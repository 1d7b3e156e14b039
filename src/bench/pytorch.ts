/** The PyTorch side of --compare-pytorch: the study's reference script, run as a child process. */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { problem, RunError, UsageError } from '../errors.js';
import type { BenchSummary } from './compare.js';

export const PYTORCH_SCRIPT = fileURLToPath(new URL('../../reference/pytorch/bench_pytorch.py', import.meta.url));
const PYTORCH_FIX = 'install the reference with `apt-get install python3-torch python3-torchvision` (Debian), ' +
  'or name a Python that has both: --python /path/to/python3';

export async function checkPytorch(python: string): Promise<void> {
  const r = await execa(python, ['-c', 'import torch, torchvision'], { reject: false });
  if (r.exitCode !== 0) {
    const why = r.failed && r.exitCode === undefined ? `'${python}' cannot be run` : `'${python}' cannot import torch and torchvision`;
    throw new UsageError(`--compare-pytorch: ${why}`, PYTORCH_FIX);
  }
}

export async function measurePytorch(python: string, norms: readonly string[], modes: readonly string[], steps: number,
  epochImages: number, threads: number): Promise<BenchSummary> {
  const r = await execa(python, [PYTORCH_SCRIPT, '--json', '--threads', String(threads), '--steps', String(steps),
    '--epoch-images', String(epochImages), '--norms', norms.join(','), '--modes', modes.join(',')], { reject: false });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
    return JSON.parse(last) as BenchSummary;
  } catch (e) {
    throw new RunError('RUN', [problem('reference/pytorch/bench_pytorch.py', '', `the PyTorch benchmark failed (${(e as Error).message}): ` +
      `${r.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`, PYTORCH_FIX)]);
  }
}
