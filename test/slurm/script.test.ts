import { parseCommandLine } from '../../src/commands/args.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSlurmTime, parseSlurmTime, renderArrayScript, renderMergeScript, shellQuote, timeLimitMinutes, warningSeconds, type SlurmJob } from '../../src/slurm/script.js';
import { runSlug } from '../../src/slurm/plan.js';
import { parseSlurmFlags } from '../../src/commands/slurm.js';
import { decideVerdict, parseScontrol, parseSqueue } from '../../src/slurm/verdict.js';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

const job: SlurmJob = {
  profile: 'smoke', shards: 3, selectionArgs: ['--only', 'table', '--jobs', '1'], mergeArgs: [], root: '/w', runDir: '/w/results/slurm/x',
  node: '/usr/bin/node', bin: '/w/bin/normreg.js', jobName: 'normreg-smoke', timeMinutes: 95, cpusPerTask: 1, partition: 'short',
  sbatchArgs: ['--mem=2G'], signalSeconds: 120,
};

test('renderArrayScript: one task per shard, auto/N, USR1 warning, requeue, per-shard status file', () => {
  const s = renderArrayScript(job);
  for (const line of ['#SBATCH --array=1-3', '#SBATCH --time=01:35:00', '#SBATCH --signal=B:USR1@120', '#SBATCH --requeue', '#SBATCH --partition=short', '#SBATCH --mem=2G',
    '#SBATCH --output=/w/results/slurm/x/logs/shard-%a.out', 'cd /w/results/slurm/x/shard-$index || exit 2',
    '/usr/bin/node /w/bin/normreg.js reproduce --profile smoke --shard auto/3 --only table --jobs 1 &', 'scontrol requeue "$SLURM_JOB_ID" && exit 0',
    'echo "$rc" > /w/results/slurm/x/status/shard-$index.rc'])
    assert.ok(s.split('\n').map((l) => l.trim()).includes(line), `missing: ${line}\n${s}`);
});

test('renderMergeScript: merges every shard\'s results in the checkout, refuses to wait on a failed shard', () => {
  const s = renderMergeScript(job);
  assert.ok(s.includes('#SBATCH --kill-on-invalid-dep=yes'));
  assert.ok(s.includes('cd /w || exit 2'));
  assert.ok(s.includes('/usr/bin/node /w/bin/normreg.js merge --profile smoke /w/results/slurm/x/shard-1/results /w/results/slurm/x/shard-2/results /w/results/slurm/x/shard-3/results'));
});

test('shellQuote, times', () => {
  assert.is(shellQuote('/a/b-c.js'), '/a/b-c.js');
  assert.is(shellQuote("it's here"), `'it'\\''s here'`);
  assert.is(formatSlurmTime(95), '01:35:00');
  assert.is(formatSlurmTime(1500), '1-01:00:00');
  assert.is(timeLimitMinutes(3600), 95);
  assert.is(timeLimitMinutes(0), 5);
  assert.equal(['90', '90:30', '1:00:00', '1-0', '1-2:30', '2-00:00:01'].map(parseSlurmTime), [90, 91, 60, 1440, 1590, 2881]);
  assert.equal(['', 'x', '0', '1h', '-1'].map(parseSlurmTime), [null, null, null, null, null]);
  assert.equal([undefined, 60, 4, 1].map(warningSeconds), [120, 120, 60, 15]);
});

test('parseSlurmFlags: defaults and every refusal names the flag', () => {
  const f = parseSlurmFlags({ shards: '12' } as never);
  assert.equal(f, { shards: 12, timeMinutes: undefined, cpusPerTask: 1, partition: undefined, sbatchArgs: [], signalSeconds: 120, pollMs: 5000 });
  assert.is(parseSlurmFlags({ shards: '2', time: '4' } as never).signalSeconds, 60);
  const refuse = (v: object, msg: string) => assert.throws(() => parseSlurmFlags(v as never), (e: Error) => e.message.startsWith(msg));
  refuse({}, '--shards is required');
  refuse({ shards: '0' }, "--shards must be a positive integer (got '0')");
  // --shard (one shard) is not slurm's: the command table refuses it, pointing at --shards
  assert.throws(() => parseCommandLine(['slurm', '--shards', '2', '--shard', '1/2']), (e: Error) => e.message.startsWith("slurm does not take --shard (fix: did you mean '--shards'?"));
  refuse({ shards: '2', time: '1h' }, "--time must be a SLURM time limit: minutes, HH:MM:SS or D-HH:MM (got '1h')");
  refuse({ shards: '2', 'poll-ms': '-5' }, "--poll-ms must be a positive integer (got '-5')");
  refuse({ shards: '2', 'cpus-per-task': 'x' }, "--cpus-per-task must be a positive integer (got 'x')");
  refuse({ shards: '2', partition: 'a b' }, "--partition must be a partition name (got 'a b')");
  refuse({ shards: '2', 'sbatch-arg': ['mem=2G'] }, "--sbatch-arg must be one sbatch option starting with '-'");
});

test('runSlug: one folder per profile, backend, selection and shard count', () => {
  assert.is(runSlug('smoke', 'wasm', { only: 'table', seeds: '1' } as never, 3), 'smoke.table.seeds-1.3-shards');
  assert.is(runSlug('full', 'tensorflow', {} as never, 12), 'full.tensorflow.all.12-shards');
  assert.is(runSlug('full', 'wasm', { only: 'a,b/c' } as never, 2), 'full.a+b+c.2-shards');
});

test('decideVerdict: the merge\'s exit decides; else the shards say why, and how to resume', () => {
  assert.equal(decideVerdict({ shardRc: [0, 0], mergeRc: 0, states: [] }, 'X').code, 0);
  assert.equal(decideVerdict({ shardRc: [0, 0], mergeRc: 1, states: [] }, 'X').code, 1);
  const cancelled = decideVerdict({ shardRc: [0, null], mergeRc: null, states: [{ jobId: '7', task: 2, state: 'CANCELLED', exitCode: '0:15' }, { jobId: '9', task: null, state: 'CANCELLED', exitCode: '0:0' }] }, 'npx normreg slurm --shards 2');
  assert.equal(cancelled, { code: 2, lines: ['shard 2: did not finish (CANCELLED, exit 0:15); see logs/shard-2.out', 'merge: did not run (CANCELLED)', 'resubmit with `npx normreg slurm --shards 2`: finished runs and checkpoints are kept, only what is missing trains'] });
  assert.is(decideVerdict({ shardRc: [1, 0], mergeRc: null, states: [] }, 'X').code, 1);
  assert.is(decideVerdict({ shardRc: [1, 2], mergeRc: null, states: [] }, 'X').code, 2);
});

test('parseScontrol / parseSqueue read what SLURM 22.05 prints', () => {
  const sc = 'JobId=21 ArrayJobId=20 ArrayTaskId=2 JobName=normreg-smoke UserId=root(0) JobState=CANCELLED Reason=None ExitCode=0:15 RunTime=00:00:09\nJobId=20 ArrayJobId=20 ArrayTaskId=1 JobState=COMPLETED ExitCode=0:0\n';
  assert.equal(parseScontrol(sc), [{ jobId: '21', task: 2, state: 'CANCELLED', exitCode: '0:15' }, { jobId: '20', task: 1, state: 'COMPLETED', exitCode: '0:0' }]);
  assert.equal(parseSqueue('22|20|3|RUNNING|None\n23|23|N/A|PENDING|Dependency\n5|5|N/A|RUNNING|None\n', ['20', '23']).map((r) => `${r.arrayJob}:${r.task}:${r.state}`), ['20:3:RUNNING', '23:N/A:PENDING']);
});

test('normreg slurm: bad flags exit 2 with the flag named, nothing written; --dry submits nothing', async () => {
  const dir = makeWorkspace({ 'a.json': tinySpec('a'), 'b.json': tinySpec('b', { seed: 2 }) });
  const noShards = await normreg(dir, ['slurm', '--profile', 'smoke']);
  assert.is(noShards.exitCode, 2);
  assert.is(noShards.stderr, 'normreg: --shards is required (fix: for example --shards 12)');
  const badTime = await normreg(dir, ['slurm', '--profile', 'smoke', '--shards', '2', '--time', 'soon']);
  assert.is(badTime.exitCode, 2);
  assert.match(badTime.stderr, "--time must be a SLURM time limit: minutes, HH:MM:SS or D-HH:MM (got 'soon')");
  const dry = await normreg(dir, ['slurm', '--profile', 'smoke', '--shards', '2', '--dry']);
  assert.is(dry.exitCode, 0, dry.stderr);
  assert.match(dry.stdout, 'shard 1: 1 run(s), 1 to train\ntrain   a: no result\nshard 2: 1 run(s), 1 to train\ntrain   b: no result\n');
  assert.match(dry.stdout, '#SBATCH --array=1-2');
  assert.match(dry.stdout, 'dry run: nothing submitted');
  const { existsSync } = await import('node:fs');
  assert.not.ok(existsSync(`${dir}/results/slurm`), '--dry wrote the run folder');
});

test.run();
