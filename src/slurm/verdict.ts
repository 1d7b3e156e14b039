/** What a finished `normreg slurm` submission came to, from the exit status files its jobs left
 * and the states SLURM reports. Pure. Exit codes as the rest of the CLI: 0 verified, 1 results
 * outside tolerance, 2 anything else (a shard failed, was cancelled or timed out: resubmit). */

export interface JobState { jobId: string; task: number | null; state: string; exitCode: string }

export interface SubmissionEnd {
  /** status/shard-I.rc per shard (index 0 = shard 1); null: the task left none */
  shardRc: (number | null)[];
  mergeRc: number | null;
  /** the array's tasks and the merge job (task null), as SLURM last reported them */
  states: JobState[];
}

export function decideVerdict(e: SubmissionEnd, resubmit: string): { code: 0 | 1 | 2; lines: string[] } {
  if (e.mergeRc !== null) {
    const code = e.mergeRc === 0 ? 0 : e.mergeRc === 1 ? 1 : 2;
    return { code, lines: [`merge: exit ${e.mergeRc}${code === 0 ? ' (merged, verified, reported)' : code === 1 ? ' (results outside tolerance)' : ' (see logs/merge.out)'}`] };
  }
  const lines: string[] = [];
  let onlyTolerance = true;
  e.shardRc.forEach((rc, i) => {
    const task = e.states.find((s) => s.task === i + 1);
    if (rc === 0) return;
    if (rc !== 1) onlyTolerance = false;
    lines.push(rc === null ? `shard ${i + 1}: did not finish (${task ? `${task.state}, exit ${task.exitCode}` : 'no state reported'}); see logs/shard-${i + 1}.out` : `shard ${i + 1}: exit ${rc}${rc === 1 ? ' (results outside tolerance)' : ''}; see logs/shard-${i + 1}.out`);
  });
  const merge = e.states.find((s) => s.task === null);
  lines.push(`merge: did not run (${merge ? merge.state : 'no state reported'})`);
  lines.push(`resubmit with \`${resubmit}\`: finished runs and checkpoints are kept, only what is missing trains`);
  return { code: onlyTolerance && lines.length > 2 ? 1 : 2, lines };
}

/** `scontrol show job -o` lines: one per array task (or job). */
export function parseScontrol(text: string): JobState[] {
  return text.split('\n').filter((l) => l.startsWith('JobId=')).map((l) => {
    const f = (k: string) => new RegExp(`(?:^| )${k}=(\\S*)`).exec(l)?.[1] ?? '';
    const task = f('ArrayTaskId');
    return { jobId: f('JobId'), task: task && /^\d+$/.test(task) ? Number(task) : null, state: f('JobState'), exitCode: f('ExitCode') };
  });
}

/** `squeue -h -o '%A|%F|%K|%T|%r'` lines of the given job ids (array job id or plain job id). */
export function parseSqueue(text: string, ids: string[]): { jobId: string; arrayJob: string; task: string; state: string; reason: string }[] {
  return text.split('\n').filter(Boolean).map((l) => {
    const [jobId, arrayJob, task, state, reason] = l.trim().split('|');
    return { jobId, arrayJob, task, state, reason };
  }).filter((r) => ids.includes(r.arrayJob) || ids.includes(r.jobId));
}
