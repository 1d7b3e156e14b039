/** `--shard auto` and `--shard auto/N`: the shard from the scheduler's environment, so a
 * hand-written sbatch script or Kubernetes Job needs no arithmetic. Pure: the caller passes the
 * environment in.
 *   auto     SLURM array: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1 of SLURM_ARRAY_TASK_COUNT
 *            (arrays may start at 0 or 1; steps other than 1 are refused)
 *   auto/N   as above, checked against N; else a Kubernetes Indexed Job's JOB_COMPLETION_INDEX
 *            (0-based) + 1 of N */
import { UsageError } from '../errors.js';
import type { Shard } from './shard.js';

type Env = Record<string, string | undefined>;

const SLURM_VARS = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_COUNT'] as const;

function count(env: Env, name: string, min: number): number {
  const text = env[name];
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text.trim()) || n < min)
    throw new UsageError(`--shard auto: environment variable ${name} must be an integer >= ${min} (got '${text ?? ''}')`, 'run it inside the array job the scheduler started, or give the shard as --shard I/N');
  return n;
}

function fromSlurm(env: Env): Shard {
  const [id, min, total] = SLURM_VARS.map((v) => count(env, v, v === 'SLURM_ARRAY_TASK_COUNT' ? 1 : 0));
  const step = env.SLURM_ARRAY_TASK_STEP;
  if (step !== undefined && step.trim() !== '1' && total > 1)
    throw new UsageError(`--shard auto: the array has step ${step} (SLURM_ARRAY_TASK_STEP); the shards must be numbered without gaps`, `submit with --array=1-${total} (or 0-${total - 1})`);
  const index = id - min + 1;
  if (index < 1 || index > total)
    throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID ${id} is outside the array ${min}-${min + total - 1} (SLURM_ARRAY_TASK_MIN ${min}, SLURM_ARRAY_TASK_COUNT ${total})`, `submit with --array=1-${total}`);
  return { index, total };
}

/** `auto` or `auto/N` (see above); anything else is not an automatic shard: null. */
export function autoShard(text: string, env: Env): Shard | null {
  const m = /^auto(?:\/(.*))?$/.exec(text.trim());
  if (!m) return null;
  const hasSlurm = env.SLURM_ARRAY_TASK_ID !== undefined;
  if (m[1] === undefined) {
    if (!hasSlurm) {
      const k8s = env.JOB_COMPLETION_INDEX !== undefined ? ' (JOB_COMPLETION_INDEX is set: a Kubernetes Indexed Job needs the count, --shard auto/N with N = the Job\'s completions)' : '';
      throw new UsageError(`--shard auto: not in a SLURM array job (SLURM_ARRAY_TASK_ID is not set)${k8s}`, 'submit with sbatch --array=1-N, use --shard auto/N in a Kubernetes Indexed Job, or give the shard as --shard I/N');
    }
    return fromSlurm(env);
  }
  if (!/^\d+$/.test(m[1]) || Number(m[1]) < 1) throw new UsageError(`--shard auto/N: N must be a positive integer (got '${m[1]}')`, 'for example --shard auto/12 for 12 shards');
  const total = Number(m[1]);
  if (hasSlurm) {
    const s = fromSlurm(env);
    if (s.total !== total) throw new UsageError(`--shard auto/${total}: the SLURM array has ${s.total} task(s) (SLURM_ARRAY_TASK_COUNT), not ${total}`, `submit with --array=1-${total}, or pass --shard auto/${s.total}`);
    return s;
  }
  if (env.JOB_COMPLETION_INDEX === undefined)
    throw new UsageError(`--shard auto/${total}: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set`, 'run it in a SLURM array job or a Kubernetes Indexed Job, or give the shard as --shard I/N');
  const index = count(env, 'JOB_COMPLETION_INDEX', 0) + 1;
  if (index > total) throw new UsageError(`--shard auto/${total}: JOB_COMPLETION_INDEX ${index - 1} is not below ${total}`, `set the Job's completions to ${total}, or pass --shard auto/N with N = its completions`);
  return { index, total };
}
