import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import {
  AUGMENT_DRAWS_PER_IMAGE,
  IDENTITY_AUGMENT_PARAMS,
  STUDY_AUGMENT_CONFIG,
  augmentImage,
  normalizeInto,
  sampleAugmentParams,
  type AugmentParams,
} from '../../src/train/augment.js';
import { createStream } from '../../src/train/rng.js';

interface Case { name: string; image: number; params: Omit<AugmentParams, 'rotationFill'>; expected: string }
interface Fixture { images: string[]; rotationFill: number; normalize: number[]; cases: Case[] }

const fx = JSON.parse(readFileSync(new URL('../fixtures/torch/augment-torchvision.json', import.meta.url), 'utf8')) as Fixture;
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const images = fx.images.map(bytes);

function diffCount(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

const augment = suite('augmentImage vs torchvision 0.14 / Pillow 9.4');

augment('fixture has edge and random cases on 8 real digits', () => {
  assert.is(images.length, 8);
  assert.ok(fx.cases.filter((c) => c.name.startsWith('edge/')).length >= 50);
  assert.ok(fx.cases.filter((c) => c.name.startsWith('random/')).length >= 90);
});

augment('every case is byte-exact', () => {
  const out = new Uint8Array(784);
  const bad: string[] = [];
  for (const c of fx.cases) {
    augmentImage(images[c.image], 0, { ...c.params, rotationFill: fx.rotationFill }, out);
    const n = diffCount(out, bytes(c.expected));
    if (n) bad.push(`${c.name}: ${n} pixels differ`);
  }
  assert.equal(bad, []);
});

augment('reads the source at srcOffset and leaves it untouched', () => {
  const c = fx.cases.find((k) => k.name.startsWith('edge/all extremes'))!;
  const batch = new Uint8Array(784 * 3);
  batch.set(images[c.image], 784 * 2);
  const before = batch.slice();
  const out = new Uint8Array(784);
  augmentImage(batch, 784 * 2, { ...c.params, rotationFill: fx.rotationFill }, out);
  assert.is(diffCount(out, bytes(c.expected)), 0);
  assert.equal(batch, before);
});

augment('identity params copy the image', () => {
  const out = new Uint8Array(784);
  for (const img of images) {
    augmentImage(img, 0, IDENTITY_AUGMENT_PARAMS, out);
    assert.is(diffCount(out, img), 0);
  }
});

augment('rotation fill reaches the corners; the affine fill is 0', () => {
  const out = new Uint8Array(784);
  augmentImage(images[0], 0, { ...IDENTITY_AUGMENT_PARAMS, rotation: 6, rotationFill: 1 }, out);
  assert.is(out[0], 1);
  augmentImage(images[0], 0, { ...IDENTITY_AUGMENT_PARAMS, tx: 3, rotationFill: 1 }, out);
  assert.is(out[0], 0);
});

augment.run();

const normalize = suite('normalizeInto vs ToTensor + Normalize');

normalize('bit-exact float32 for all 256 values, written at outOffset', () => {
  const img = new Uint8Array(784);
  for (let i = 0; i < 784; i++) img[i] = i % 256;
  const out = new Float32Array(784 + 5).fill(NaN);
  normalizeInto(img, out, 5);
  for (let i = 0; i < 5; i++) assert.ok(Number.isNaN(out[i]));
  const bad = [];
  for (let i = 0; i < 784; i++) if (out[5 + i] !== Math.fround(fx.normalize[i % 256])) bad.push(i);
  assert.equal(bad, []);
});

normalize.run();

const sample = suite('sampleAugmentParams');

function countingStream(seed: number) {
  const s = createStream(seed, 'augment');
  const r = { draws: 0, next: () => (r.draws++, s.next()) };
  return r;
}

sample('draws a fixed count in a fixed order', () => {
  const r = countingStream(1);
  for (let i = 1; i <= 100; i++) {
    sampleAugmentParams(STUDY_AUGMENT_CONFIG, r.next);
    assert.is(r.draws, i * AUGMENT_DRAWS_PER_IMAGE);
  }
  // torchvision's order: rotation; affine angle, tx, ty, scale, shear; jitter order, b, c
  const seq = [0.5, 0, 0.25, 0.75, 0.125, 0.625, 0.49, 0.375, 0.875];
  let k = 0;
  const p = sampleAugmentParams(STUDY_AUGMENT_CONFIG, () => seq[k++]);
  assert.is(k, AUGMENT_DRAWS_PER_IMAGE);
  assert.equal(p, {
    rotation: 0, rotationFill: 1, affineAngle: -7, tx: -1, ty: 1, scale: 0.8 + 0.4 * 0.125, shearX: -7 + 14 * 0.625,
    brightnessFirst: true, brightness: 0.6 + (1.4 - 0.6) * 0.375, contrast: 0.6 + (1.4 - 0.6) * 0.875,
  });
  k = 0;
  seq[6] = 0.5;
  assert.is(sampleAugmentParams(STUDY_AUGMENT_CONFIG, () => seq[k++]).brightnessFirst, false);
});

sample('translations round half to even, like Python round()', () => {
  const cfg = { ...STUDY_AUGMENT_CONFIG, translate: 2.5 / 28 }; // max shift exactly 2.5
  const at = (u: number) => sampleAugmentParams(cfg, () => u).tx;
  assert.is(at(0), -2); // round(-2.5)
  assert.is(at(1), 2); // round(2.5)
  assert.is(at(0.6), 0); // round(0.5)
  assert.is(at(0.8), 2); // round(1.5)
  assert.is(at(0.7), 1);
  assert.ok(Object.is(at(0.4), 0)); // round(-0.5) is 0, never -0
});

sample('same seed gives the same params, another seed other params', () => {
  const run = (seed: number) => {
    const s = createStream(seed, 'augment');
    return Array.from({ length: 50 }, () => sampleAugmentParams(STUDY_AUGMENT_CONFIG, s.next));
  };
  assert.equal(run(1), run(1));
  assert.not.equal(run(1), run(2));
});

sample('ranges respected and covered over 20k draws', () => {
  const s = createStream(7, 'augment');
  const lo: Record<string, number> = {};
  const hi: Record<string, number> = {};
  const txs = new Set<number>();
  let firsts = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const p = sampleAugmentParams(STUDY_AUGMENT_CONFIG, s.next);
    for (const k of ['rotation', 'affineAngle', 'scale', 'shearX', 'brightness', 'contrast', 'tx', 'ty'] as const) {
      lo[k] = Math.min(lo[k] ?? Infinity, p[k]);
      hi[k] = Math.max(hi[k] ?? -Infinity, p[k]);
    }
    assert.ok(Number.isInteger(p.tx) && Number.isInteger(p.ty));
    txs.add(p.tx);
    if (p.brightnessFirst) firsts++;
  }
  const within = (k: string, a: number, b: number, slack: number) => {
    assert.ok(lo[k] >= a && hi[k] <= b, `${k} in [${a}, ${b}]: got [${lo[k]}, ${hi[k]}]`);
    assert.ok(lo[k] < a + slack && hi[k] > b - slack, `${k} covers [${a}, ${b}]: got [${lo[k]}, ${hi[k]}]`);
  };
  within('rotation', -6, 6, 0.01);
  within('affineAngle', -7, 7, 0.01);
  within('shearX', -7, 7, 0.01);
  within('scale', 0.8, 1.2, 0.001);
  within('brightness', 0.6, 1.4, 0.001);
  within('contrast', 0.6, 1.4, 0.001);
  within('tx', -3, 3, 0.5);
  within('ty', -3, 3, 0.5);
  assert.equal([...txs].sort(), [-1, -2, -3, 0, 1, 2, 3]);
  assert.ok(Math.abs(firsts / n - 0.5) < 0.02, `brightness first ${firsts} of ${n}`);
});

sample('a disabled config draws the same count and gives identity-like params', () => {
  const off = { ...STUDY_AUGMENT_CONFIG, rotation: 0, affineDegrees: 0, translate: 0, scaleMin: 1, scaleMax: 1, shear: 0, brightness: 0, contrast: 0 };
  const r = countingStream(3);
  const p = sampleAugmentParams(off, r.next);
  assert.is(r.draws, AUGMENT_DRAWS_PER_IMAGE);
  const out = new Uint8Array(784);
  augmentImage(images[1], 0, p, out);
  assert.equal({ ...p, brightnessFirst: true, rotationFill: 0 }, { ...IDENTITY_AUGMENT_PARAMS });
  assert.is(diffCount(out, images[1]), 0);
});

sample.run();
