/** Training state at an epoch boundary, and its byte encoding. Pure: the store writes the bytes
 * atomically; this module only turns state into text and back, checking integrity on the way in.
 *
 * Everything the rest of the run depends on is here: weights, BatchNorm running statistics, the
 * SGD momentum buffers, the position of every random stream, the metrics so far. Float arrays are
 * kept as raw little-endian float32 bytes (base64), so a resumed run continues bit-exactly. */
import { createHash } from 'node:crypto';
import type { EpochMetrics } from '../result/types.js';
import type { StreamName } from './rng.js';

export interface EvalSummary {
  count: number;
  wrong: { index: number; actual: number; predicted: number }[];
  testLoss: number;
  testAcc: number;
}

export interface TrainState {
  /** epochs completed */
  epoch: number;
  params: Record<string, Float32Array>;
  buffers: Record<string, Float32Array>;
  /** SGD momentum buffers; null before the first step */
  sgd: Record<string, Float32Array> | null;
  streams: Partial<Record<StreamName, object>>;
  epochs: EpochMetrics[];
  epochSeconds: number[];
  lastEval: EvalSummary | null;
}

export interface Checkpoint {
  format: 1;
  /** the run fingerprint this state belongs to; a checkpoint of another run is never used */
  fingerprint: string;
  state: TrainState;
}

export class CheckpointCorrupt extends Error {}

function encodeArrays(m: Record<string, Float32Array>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = Buffer.from(m[k].buffer, m[k].byteOffset, m[k].byteLength).toString('base64');
  return out;
}

function decodeArrays(m: unknown, what: string): Record<string, Float32Array> {
  if (!m || typeof m !== 'object') throw new CheckpointCorrupt(`${what} missing`);
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new CheckpointCorrupt(`${what}.${k} is not base64 text`);
    const b = Buffer.from(v, 'base64');
    if (b.byteLength % 4 !== 0) throw new CheckpointCorrupt(`${what}.${k} has ${b.byteLength} bytes, not a float32 array`);
    const copy = new Uint8Array(b.byteLength);
    copy.set(b);
    out[k] = new Float32Array(copy.buffer);
  }
  return out;
}

/** Text form: one JSON object whose body is covered by a sha256, so a torn or edited file is caught. */
export function encodeCheckpoint(c: Checkpoint): string {
  const s = c.state;
  const body = JSON.stringify({
    format: c.format,
    fingerprint: c.fingerprint,
    state: {
      epoch: s.epoch,
      params: encodeArrays(s.params),
      buffers: encodeArrays(s.buffers),
      sgd: s.sgd ? encodeArrays(s.sgd) : null,
      streams: s.streams,
      epochs: s.epochs,
      epochSeconds: s.epochSeconds,
      lastEval: s.lastEval,
    },
  });
  const sha256 = createHash('sha256').update(body).digest('hex');
  return `{"sha256":"${sha256}","body":${body}}\n`;
}

export function decodeCheckpoint(text: string): Checkpoint {
  let outer: { sha256?: unknown; body?: unknown };
  try {
    outer = JSON.parse(text);
  } catch (e) {
    throw new CheckpointCorrupt(`not JSON: ${(e as Error).message}`);
  }
  const m = /^\{"sha256":"([0-9a-f]{64})","body":(.*)\}\n?$/s.exec(text);
  if (!m || typeof outer.sha256 !== 'string') throw new CheckpointCorrupt('not a normreg checkpoint');
  if (createHash('sha256').update(m[2]).digest('hex') !== m[1]) throw new CheckpointCorrupt('checksum mismatch (torn or edited file)');
  const b = outer.body as Record<string, any>;
  if (b.format !== 1) throw new CheckpointCorrupt(`unknown checkpoint format ${String(b.format)}`);
  const s = b.state ?? {};
  if (!Number.isInteger(s.epoch) || s.epoch < 1) throw new CheckpointCorrupt('state.epoch missing');
  if (!Array.isArray(s.epochs) || s.epochs.length !== s.epoch) throw new CheckpointCorrupt('state.epochs does not match state.epoch');
  return {
    format: 1,
    fingerprint: String(b.fingerprint),
    state: {
      epoch: s.epoch,
      params: decodeArrays(s.params, 'params'),
      buffers: decodeArrays(s.buffers, 'buffers'),
      sgd: s.sgd === null ? null : decodeArrays(s.sgd, 'sgd'),
      streams: s.streams,
      epochs: s.epochs,
      epochSeconds: s.epochSeconds,
      lastEval: s.lastEval,
    },
  };
}
