/** Canonical JSON: sorted keys, numbers at fixed precision, so equal content means equal bytes. */
import { createHash } from 'node:crypto';

const DIGITS = 9; // significant digits kept for floats; float32 needs 9 for round-trip

function roundNumber(x: number): number {
  if (!Number.isFinite(x)) throw new TypeError(`cannot serialize non-finite number ${x}`);
  if (Number.isInteger(x)) return x;
  return Number(x.toPrecision(DIGITS));
}

function normalizeValue(v: unknown): unknown {
  if (typeof v === 'number') return roundNumber(v);
  if (Array.isArray(v)) return v.map(normalizeValue);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const val = (v as Record<string, unknown>)[k];
      if (val !== undefined) out[k] = normalizeValue(val);
    }
    return out;
  }
  return v;
}

export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalizeValue(v), null, 2) + '\n';
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
