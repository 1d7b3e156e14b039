/** Reading what a workspace holds for a run (result, run record, checkpoint) for the planner, and
 * writing the run record and checkpoints. IO only; the decisions are in plan/plan.ts. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { RESULT_FIX } from './payloads.js';
import { checkpointPath, resultPath, runRecordPath, type Workspace } from './paths.js';
import { payloadPlace, payloadSchema, validatePayload, validateRunRecord } from '../result/validate.js';
import { parseJson, schemaProblems } from '../jsonSchema.js';
import checkpointSchema from './checkpoint.schema.json' with { type: 'json' };
import type { ResultPayload, RunRecord } from '../result/types.js';
import { writeFileAtomic } from './store.js';
import { canonicalJson, sha256Hex } from '../result/canonical.js';
import { CheckpointCorrupt, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../train/checkpoint.js';


export type Stored =
  | { kind: 'none' }
  | { kind: 'corrupt'; detail: string }
  | { kind: 'ok'; record: RunRecord | null; payloadSha256: string };

export type CheckpointSeen = { kind: 'none' } | { kind: 'corrupt'; detail: string } | { kind: 'ok'; fingerprint: string; epoch: number };

export function readStored(ws: Workspace, profile: string, name: string): Stored {
  const p = resultPath(ws, profile, name);
  if (!existsSync(p)) return { kind: 'none' };
  const bytes = readFileSync(p);
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return { kind: 'corrupt', detail: `result.json is not JSON (${(e as Error).message.replace(/\s+/g, ' ').slice(0, 120)})` };
  }
  const probs = validatePayload('result.json', v, RESULT_FIX);
  const misplaced = probs.length ? [] : payloadPlace('result.json', v as ResultPayload, { name, profile }, RESULT_FIX);
  const first = probs[0] ?? misplaced[0];
  if (first) return { kind: 'corrupt', detail: `result.json ${first.pointer} ${first.message}` };
  let record: RunRecord | null = null;
  const rp = runRecordPath(ws, profile, name);
  if (existsSync(rp)) {
    const parsed = parseJson('run.json', readFileSync(rp, 'utf8'), RESULT_FIX);
    if ('problem' in parsed) return { kind: 'corrupt', detail: `run.json ${parsed.problem.message}` };
    const bad = validateRunRecord('run.json', parsed.value, RESULT_FIX)[0];
    if (bad) return { kind: 'corrupt', detail: `run.json ${bad.pointer} ${bad.message}` };
    record = parsed.value as RunRecord;
  }
  return { kind: 'ok', record, payloadSha256: sha256Hex(bytes) };
}

/** decodeCheckpoint (checksum, format, epoch count) plus the schema and the epochs' numbering and
 * timings. Kept here, outside src/train, so the check does not change the training code's hash.
 * Any failure is CheckpointCorrupt: the planner ignores the checkpoint with the reason and the run
 * starts afresh, which costs only time (same bytes), so refusing to run would help nobody. */
export function checkCheckpointText(text: string): Checkpoint {
  const c = decodeCheckpoint(text);
  const body = (JSON.parse(text) as { body: unknown }).body;
  const bad = schemaProblems(checkpointSchema, '', body, '', [payloadSchema])[0];
  if (bad) throw new CheckpointCorrupt(`${bad.pointer || 'body'}: ${bad.message}`);
  const s = c.state;
  if (s.epochSeconds.length !== s.epoch) throw new CheckpointCorrupt(`/state/epochSeconds: ${s.epochSeconds.length} time(s) listed, but /state/epoch is ${s.epoch}`);
  s.epochs.forEach((e, i) => {
    if (e.epoch !== i + 1) throw new CheckpointCorrupt(`/state/epochs/${i}/epoch: is ${e.epoch}, expected ${i + 1}`);
  });
  return c;
}

export function readCheckpoint(ws: Workspace, profile: string, name: string): Checkpoint | CheckpointCorrupt | null {
  const p = checkpointPath(ws, profile, name);
  if (!existsSync(p)) return null;
  try {
    return checkCheckpointText(readFileSync(p, 'utf8'));
  } catch (e) {
    if (e instanceof CheckpointCorrupt) return e;
    throw e;
  }
}

export function checkpointSeen(c: Checkpoint | CheckpointCorrupt | null): CheckpointSeen {
  if (c === null) return { kind: 'none' };
  if (c instanceof CheckpointCorrupt) return { kind: 'corrupt', detail: c.message };
  return { kind: 'ok', fingerprint: c.fingerprint, epoch: c.state.epoch };
}

export function writeCheckpoint(ws: Workspace, profile: string, name: string, c: Checkpoint): void {
  writeFileAtomic(checkpointPath(ws, profile, name), encodeCheckpoint(c));
}

export function removeCheckpoint(ws: Workspace, profile: string, name: string): void {
  rmSync(checkpointPath(ws, profile, name), { force: true });
}

export function writeRunRecord(ws: Workspace, r: RunRecord): void {
  writeFileAtomic(runRecordPath(ws, r.profile, r.name), canonicalJson(r));
}

