/** The run plan: for every run, train / resume / use the cached result, and why, as data.
 * Pure: the caller reads what is stored (run record, payload status, checkpoint) and passes it in. */
import { fingerprintRun } from './fingerprint.js';
import type { RunComponents } from '../result/types.js';
import type { CheckpointSeen, Stored } from '../workspace/runFiles.js';

export type Reason =
  | { code: 'forced' }
  | { code: 'no-result' }
  | { code: 'result-corrupt'; detail: string }
  | { code: 'no-run-record' }
  | { code: 'result-edited' }
  | { code: 'spec-changed'; pointers: string[] }
  | { code: 'dataset-changed'; from: string; to: string }
  | { code: 'backend-changed'; from: string; to: string }
  | { code: 'versions-changed'; changes: string[] }
  | { code: 'code-changed' }
  | { code: 'unchanged' }
  | { code: 'resume'; epoch: number; of: number }
  | { code: 'checkpoint-ignored'; detail: string }
  | { code: 'same-training'; as: string };

export interface Decision {
  name: string;
  /** copy: another run of the plan computes exactly this run's training (same run fingerprint);
   * its result is copied under this run's name instead of training it again */
  action: 'cached' | 'train' | 'resume' | 'copy';
  /** the run whose result a copy takes (copy only) */
  copyFrom?: string;
  fingerprint: string;
  reasons: Reason[];
  /** epochs already done in the checkpoint used (resume only) */
  fromEpoch: number;
}

/** JSON pointers where two JSON values differ (leaves only). */
export function changedPointers(a: unknown, b: unknown, at = ''): string[] {
  const isObj = (v: unknown) => v !== null && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    return keys.flatMap((k) => changedPointers((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || '/'];
}

function whyDifferent(old: RunComponents, now: RunComponents): Reason[] {
  const out: Reason[] = [];
  const spec = changedPointers(old.inputs, now.inputs);
  if (spec.length) out.push({ code: 'spec-changed', pointers: spec });
  if (old.datasetSha256 !== now.datasetSha256) out.push({ code: 'dataset-changed', from: old.datasetSha256, to: now.datasetSha256 });
  if (old.backend !== now.backend) out.push({ code: 'backend-changed', from: old.backend, to: now.backend });
  else {
    const keys = [...new Set([...Object.keys(old.versions ?? {}), ...Object.keys(now.versions)])].sort();
    const changes = keys.filter((k) => old.versions?.[k] !== now.versions[k]).map((k) => `${k} ${old.versions?.[k] ?? 'none'} -> ${now.versions[k] ?? 'none'}`);
    if (changes.length) out.push({ code: 'versions-changed', changes });
  }
  if (old.code !== now.code) out.push({ code: 'code-changed' });
  return out;
}

export function decide(name: string, now: RunComponents, epochs: number, stored: Stored, checkpoint: CheckpointSeen, force: boolean): Decision {
  const fingerprint = fingerprintRun(now);
  const reasons: Reason[] = [];
  if (force) reasons.push({ code: 'forced' });
  else if (stored.kind === 'none') reasons.push({ code: 'no-result' });
  else if (stored.kind === 'corrupt') reasons.push({ code: 'result-corrupt', detail: stored.detail });
  else if (!stored.record) reasons.push({ code: 'no-run-record' });
  else if (stored.record.payloadSha256 !== stored.payloadSha256) reasons.push({ code: 'result-edited' });
  else if (stored.record.fingerprint !== fingerprint) {
    const why = whyDifferent(stored.record.components, now);
    reasons.push(...(why.length ? why : [{ code: 'code-changed' } as Reason]));
  } else return { name, action: 'cached', fingerprint, reasons: [{ code: 'unchanged' }], fromEpoch: 0 };

  if (!force && checkpoint.kind === 'ok' && checkpoint.fingerprint === fingerprint && checkpoint.epoch <= epochs) {
    return { name, action: 'resume', fingerprint, reasons: [...reasons, { code: 'resume', epoch: checkpoint.epoch, of: epochs }], fromEpoch: checkpoint.epoch };
  }
  if (checkpoint.kind === 'corrupt') reasons.push({ code: 'checkpoint-ignored', detail: checkpoint.detail });
  else if (checkpoint.kind === 'ok' && !force) reasons.push({ code: 'checkpoint-ignored', detail: 'it belongs to a different run (fingerprint differs)' });
  return { name, action: 'train', fingerprint, reasons, fromEpoch: 0 };
}

export function formatReason(r: Reason): string {
  switch (r.code) {
    case 'forced': return 'forced (--force)';
    case 'no-result': return 'no result';
    case 'result-corrupt': return `stored result corrupt: ${r.detail}`;
    case 'no-run-record': return 'no run record (run.json) beside the result';
    case 'result-edited': return 'result.json changed since it was written (hash differs from run.json)';
    case 'spec-changed': return `spec changed: ${r.pointers.join(', ')}`;
    case 'dataset-changed': return `dataset changed: sha256 ${r.from.slice(0, 12)} -> ${r.to.slice(0, 12)}`;
    case 'backend-changed': return `backend changed: ${r.from} -> ${r.to}`;
    case 'versions-changed': return `versions changed: ${r.changes.join(', ')}`;
    case 'code-changed': return 'code changed';
    case 'unchanged': return 'unchanged (fingerprint matches the stored result)';
    case 'resume': return `resuming from the checkpoint after epoch ${r.epoch}/${r.of}`;
    case 'checkpoint-ignored': return `checkpoint ignored: ${r.detail}`;
    case 'same-training': return `same training as ${r.as} (same settings, seed, data, backend and code; only the name differs): its result is copied`;
  }
}

/** One line of a printed plan: what happens to the run, and why. */
export function renderPlanLine(p: { spec: { name: string }; decision: { action: string; reasons: Reason[] } }): string {
  return `${p.decision.action.padEnd(7)} ${p.spec.name}: ${p.decision.reasons.map(formatReason).join('; ')}`;
}

/** Runs with equal run fingerprints compute byte-identical results: the fingerprint covers every
 * input of training, and a run's name and title are not among them (the study's BatchNorm row is
 * the BatchNorm sweep's batch-64 run without regularization, for instance). Of each such set, a
 * run with a valid stored result (in `plan` or among `stored`, e.g. every other run of the
 * profile) serves the others; else the first resuming run, else the first to train, trains and
 * the others become copies of it. Pure. */
export function shareTraining<T extends { decision: Decision }>(plan: T[], stored: Decision[] = []): T[] {
  const source = new Map<string, string>();
  const offer = (d: Decision) => { if (!source.has(d.fingerprint)) source.set(d.fingerprint, d.name); };
  for (const d of [...plan.map((p) => p.decision), ...stored]) if (d.action === 'cached') offer(d);
  for (const action of ['resume', 'train'] as const) for (const p of plan) if (p.decision.action === action) offer(p.decision);
  return plan.map((p) => {
    const d = p.decision;
    const from = source.get(d.fingerprint);
    if (d.action === 'cached' || d.action === 'copy' || from === undefined || from === d.name) return p;
    const reasons = d.reasons.filter((r) => r.code !== 'resume' && r.code !== 'checkpoint-ignored');
    return { ...p, decision: { ...d, action: 'copy', copyFrom: from, fromEpoch: 0, reasons: [...reasons, { code: 'same-training', as: from }] } };
  });
}
