/** A copy run: another run of the plan computed exactly this run's training (plan/plan.ts
 * shareTraining), so its result is written again under this run's name and title: the bytes a
 * training of this run would write (training never reads the name). Kept out of runSpec.ts, so
 * it does not change the training code's hash. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readResult } from '../workspace/payloads.js';
import { factsPath, resultPath, type Workspace } from '../workspace/paths.js';
import { canonicalJson } from '../result/canonical.js';
import { writeFileAtomic } from '../workspace/store.js';
import { sha256Hex } from '../result/canonical.js';
import { RunError, problem } from '../errors.js';
import type { ResultPayload, RunFacts } from '../result/types.js';
import { readStored, removeCheckpoint, writeRunRecord } from '../workspace/runFiles.js';
import { type PlannedRun } from '../plan/runs.js';

/** The source's payload renamed: only name and title differ. Pure. */
function renamedPayload(source: ResultPayload, to: { name: string; title: string }): ResultPayload {
  return { ...source, name: to.name, title: to.title };
}

export function copyRun(ws: Workspace, run: PlannedRun): ResultPayload {
  const { spec, decision } = run;
  const from = decision.copyFrom!;
  const stored = readStored(ws, spec.profile, from);
  const src = resultPath(ws, spec.profile, from);
  // the source must be what the plan promised: a valid result of the same run fingerprint
  if (stored.kind !== 'ok' || stored.record?.fingerprint !== decision.fingerprint || stored.record.payloadSha256 !== stored.payloadSha256)
    throw new RunError('RUN', [problem(src, '', `cannot copy ${from}'s result to ${spec.name}: it is missing, changed or from other inputs`, `run \`normreg reproduce --only ${spec.name}\` again`)]);
  const payload = renamedPayload(readResult(src)!, { name: spec.name, title: spec.title });
  const text = canonicalJson(payload);
  const srcFacts = factsPath(ws, spec.profile, from);
  const facts = existsSync(srcFacts) ? (JSON.parse(readFileSync(srcFacts, 'utf8')) as RunFacts) : null;
  writeFileAtomic(resultPath(ws, spec.profile, spec.name), text);
  if (facts) writeFileAtomic(factsPath(ws, spec.profile, spec.name), canonicalJson({ ...facts, name: spec.name, copiedFrom: from }));
  else rmSync(factsPath(ws, spec.profile, spec.name), { force: true }); // no stale timings of an earlier training
  writeRunRecord(ws, { format: 1, name: spec.name, profile: spec.profile, fingerprint: decision.fingerprint, components: run.components, payloadSha256: sha256Hex(text) });
  removeCheckpoint(ws, spec.profile, spec.name);
  return payload;
}
