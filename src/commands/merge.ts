/** normreg merge: combine the results of `reproduce --shard` runs, then verify and report. */
import { UsageError } from '../errors.js';
import { codeHash } from '../plan/codeHash.js';
import { readManifests, copyShardResults, mergePlanFingerprint } from '../run/merge.js';
import { common, updateMode, type Values } from './args.js';
import { lockWorkspace } from './session.js';
import { verifyAndReport } from './verifyFlow.js';
import { checkInputs } from '../verify/inputs.js';

export async function cmdMerge(values: Values, dirs: string[]): Promise<number> {
  const c = common(values);
  if (c.filtered) throw new UsageError('merge combines whole sharded runs; --only does not apply');
  const mode = updateMode(values);
  const release = await lockWorkspace(c, values, 'merge');
  try {
    await checkInputs(c.ws, c.specs, c.all, { goldens: mode !== 'all' });
    const manifests = readManifests(c.ws, c.profile, dirs);
    const copied = copyShardResults(c.ws, c.profile, manifests, mergePlanFingerprint(c.specs, codeHash()), c.specs.map((s) => s.name));
    process.stdout.write(`merge ${c.profile}: ${manifests.length} shard(s), ${copied} run(s)\n`);
    return (await verifyAndReport(c, mode, true)) ? 0 : 1;
  } finally {
    release();
  }
}
