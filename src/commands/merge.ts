/** normreg merge: combine the results of `reproduce --shard` runs, then verify and report. A merge
 * applies the selection (--only, --seeds) the shards recorded in their manifests. */
import { relative } from 'node:path';
import { RunError, problem } from '../errors.js';
import { codeHash } from '../plan/codeHash.js';
import { readManifests, copyShardResults, mergePlanFingerprint, shardsBackend } from '../shard/merge.js';
import { describeSelection, mergeSelection } from '../shard/shard.js';
import { PROFILES } from '../spec/types.js';
import { common, selectionOf, updateMode, type Values } from './args.js';
import { oneOf } from './flags.js';
import { lockWorkspace } from './session.js';
import { verifyAndReport } from '../pipeline/verifyReport.js';
import { checkInputs } from '../verify/inputs.js';

export async function cmdMerge(values: Values, dirs: string[]): Promise<number> {
  const ws = { root: process.cwd() };
  const profile = oneOf('profile', values.profile, PROFILES, 'full');
  const given = values.only !== undefined || values.seeds !== undefined ? selectionOf(values) : null;
  updateMode(values); // a wrong --update is refused before anything else
  const release = await lockWorkspace({ ws }, values, 'merge');
  try {
    const manifests = readManifests(ws, profile, dirs);
    const shown = (f: string) => relative(process.cwd(), f) || f;
    const { selection, problems } = mergeSelection(manifests.map(({ file, m }) => ({ file: shown(file), m })), given);
    if (problems.length) throw new RunError('RUN', problems.map((p) => problem(p.file, '', p.message, p.fix)));
    // results and goldens are the shards' backend's (results/<profile>.<backend>/ for any but wasm)
    const backend = shardsBackend(manifests, values.backend);
    const mode = updateMode(values, backend);
    const c = common({ ...values, backend, only: selection.only?.join(','), seeds: selection.seeds?.join(',') });
    await checkInputs(c.ws, c.specs, c.all, { goldens: mode !== 'all' });
    const copied = copyShardResults(c.ws, c.profile, manifests, mergePlanFingerprint(c.specs, codeHash()), c.specs.map((s) => s.name));
    process.stdout.write(`merge ${c.profile}: ${manifests.length} shard(s), ${copied} run(s)${c.filtered ? ` of ${describeSelection(selection)}` : ''}\n`);
    const ok = await verifyAndReport(c, mode, !c.filtered);
    if (c.filtered) process.stdout.write(`report: not regenerated for a selection; \`npx normreg report --profile ${c.profile}\` draws it from every result and golden present\n`);
    return ok ? 0 : 1;
  } finally {
    release();
  }
}
