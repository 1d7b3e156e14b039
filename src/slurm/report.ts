/** What `normreg slurm` prints: the shards' plans and times before submitting, and where to watch
 * the jobs after. Pure. */
import { formatDuration } from '../util/stats.js';
import { renderPlanLine } from '../plan/plan.js';
import { formatSlurmTime } from './script.js';
import type { ShardEstimate, ShardPlan } from './plan.js';

export function renderShardPlans(shards: ShardPlan[], est: ShardEstimate, timeMinutes: number, timeGiven: boolean, withPlans: boolean): string {
  const lines: string[] = [];
  for (const s of shards) {
    const t = est.times?.shards[s.index - 1];
    const todo = s.plan.filter((p) => p.decision.action === 'train' || p.decision.action === 'resume').length;
    lines.push(`shard ${s.index}: ${s.plan.length} run(s), ${todo} to train${t ? `, about ${formatDuration(t.seconds)}` : ''}`);
    if (withPlans) lines.push(...s.plan.map(renderPlanLine));
  }
  const t = est.times;
  lines.push(t ? `expected longest shard: ${formatDuration(t.longest)}, mean ${formatDuration(t.mean)} (max/mean ${(t.mean ? t.longest / t.mean : 1).toFixed(2)}; ${est.basis})` : `expected longest shard: unknown (${est.basis})`);
  lines.push(`time limit per task: ${formatSlurmTime(timeMinutes)}${timeGiven ? ' (--time)' : t ? ' (the longest shard x 1.5 + 5 min)' : ' (default)'}`);
  return lines.join('\n') + '\n';
}

export function renderSubmitted(j: { array: string; merge: string; shards: number; runDir: string; logDir: string; results: string }): string {
  return [
    `submitted: array job ${j.array} (${j.shards} task(s)), merge job ${j.merge} (afterok:${j.array})`,
    `logs: ${j.logDir}/shard-<I>.out, ${j.logDir}/merge.out`,
    `watch: squeue -j ${j.array},${j.merge}`,
    `       sacct -j ${j.array},${j.merge} -o JobID,State,Elapsed,ExitCode   (with accounting; else scontrol show job ${j.array})`,
    `results: each shard in ${j.runDir}/shard-<I>/results/, merged into ${j.results}/ by job ${j.merge}`,
  ].join('\n') + '\n';
}
