/**
 * The study's train-time augmentation, byte-exact with torchvision 0.14 on 8-bit PIL images:
 *   RandomRotation((-6, 6), fill=(1,)) -> RandomAffine(7, (0.1, 0.1), (0.8, 1.2), shear=7)
 *   -> ColorJitter(brightness=0.4, contrast=0.4), then ToTensor + Normalize(0.1307, 0.3081).
 * Sampling (sampleAugmentParams) is kept apart from the deterministic pixel transform
 * (augmentImage), which test/fixtures/torch/make_augment_fixtures.py checks against torchvision.
 */

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CENTER = SIDE * 0.5; // torchvision and PIL both rotate about (w/2, h/2), not pixel 13.5
const DEG = Math.PI / 180; // == CPython's math.radians factor, Py_MATH_PI / 180.0
// MNIST's, the default of /dataset/normalize (a spec can declare others)
const MEAN_DEFAULT = 0.1307;
const STD_DEFAULT = 0.3081;

export interface AugmentConfig {
  rotation: number; // RandomRotation: angle uniform in [-rotation, rotation] degrees
  rotationFill: number; // 8-bit value for pixels rotated in from outside
  affineDegrees: number; // RandomAffine: angle uniform in [-affineDegrees, affineDegrees]
  translate: number; // max shift as a fraction of the side, per axis
  scaleMin: number;
  scaleMax: number;
  shear: number; // x shear uniform in [-shear, shear] degrees; no y shear
  brightness: number; // factor uniform in [max(0, 1 - b), 1 + b]
  contrast: number; // factor uniform in [max(0, 1 - c), 1 + c]
}

export interface AugmentParams {
  rotation: number; // degrees, counter-clockwise (PIL's sense)
  rotationFill: number; // copied from the config, not drawn
  affineAngle: number; // degrees
  tx: number; // whole pixels
  ty: number;
  scale: number;
  shearX: number; // degrees
  brightness: number;
  contrast: number;
  brightnessFirst: boolean; // ColorJitter's random order, restricted to the two that act on 1 channel
}

export const STUDY_AUGMENT_CONFIG: Readonly<AugmentConfig> = Object.freeze({
  rotation: 6,
  rotationFill: 1,
  affineDegrees: 7,
  translate: 0.1,
  scaleMin: 0.8,
  scaleMax: 1.2,
  shear: 7,
  brightness: 0.4,
  contrast: 0.4,
});

/** augmentImage with these parameters copies the image unchanged (the "no augmentation" path). */
export const IDENTITY_AUGMENT_PARAMS: Readonly<AugmentParams> = Object.freeze({
  rotation: 0,
  rotationFill: 0,
  affineAngle: 0,
  tx: 0,
  ty: 0,
  scale: 1,
  shearX: 0,
  brightness: 1,
  contrast: 1,
  brightnessFirst: true,
});

/** sampleAugmentParams always draws exactly this many numbers, whatever the config. */
export const AUGMENT_DRAWS_PER_IMAGE = 9;

/**
 * Draws one image's parameters in torchvision's order: rotation; affine angle, tx, ty, scale,
 * shear x; jitter order, brightness, contrast. The jitter order is one draw (brightness first
 * with probability 1/2), which is all torch.randperm(4) decides on a 1-channel image.
 */
export function sampleAugmentParams(cfg: AugmentConfig, rand: () => number): AugmentParams {
  const rotation = uniform(rand, -cfg.rotation, cfg.rotation);
  const affineAngle = uniform(rand, -cfg.affineDegrees, cfg.affineDegrees);
  const maxD = cfg.translate * SIDE;
  const tx = roundHalfEven(uniform(rand, -maxD, maxD)); // Python's round()
  const ty = roundHalfEven(uniform(rand, -maxD, maxD));
  const scale = uniform(rand, cfg.scaleMin, cfg.scaleMax);
  const shearX = uniform(rand, -cfg.shear, cfg.shear);
  const brightnessFirst = rand() < 0.5;
  const brightness = uniform(rand, Math.max(0, 1 - cfg.brightness), 1 + cfg.brightness);
  const contrast = uniform(rand, Math.max(0, 1 - cfg.contrast), 1 + cfg.contrast);
  return { rotation, rotationFill: cfg.rotationFill, affineAngle, tx, ty, scale, shearX, brightness, contrast, brightnessFirst };
}

/** Rotation, affine and colour jitter of the 28x28 image at src[srcOffset..], into out[0..784). */
export function augmentImage(src: Uint8Array, srcOffset: number, p: AugmentParams, out: Uint8Array): void {
  const s = getScratch();
  if (!rotationMatrix(p.rotation, s.m)) {
    s.tmp.set(src.subarray(srcOffset, srcOffset + PIXELS)); // PIL's angle == 0 fast path
  } else {
    transformNearest(src, srcOffset, s.m, p.rotationFill, s.tmp);
  }
  affineMatrix(p.affineAngle, p.tx, p.ty, p.scale, p.shearX, 0, s.m);
  transformNearest(s.tmp, 0, s.m, 0, out);
  jitter(out, p, s);
}

/** ToTensor + Normalize, float32 step by step as torch does it: ((x/255) - mean) / std. */
/** out[outOffset + i] = lut[img[i]] for the whole image; lut from normLut (default MNIST's). */
export function normalizeInto(img: Uint8Array, out: Float32Array, outOffset: number, lut: Float32Array = getScratch().norm): void {
  for (let i = 0; i < img.length; i++) out[outOffset + i] = lut[img[i]];
}

let lastLut: { mean: number; std: number; lut: Float32Array } | undefined;

/** (v/255 - mean) / std in f32 steps (torchvision's ToTensor + Normalize) for every byte v. */
export function normLut(mean: number, std: number): Float32Array {
  if (lastLut && lastLut.mean === mean && lastLut.std === std) return lastLut.lut;
  const m = Math.fround(mean);
  const sd = Math.fround(std);
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.fround(Math.fround(Math.fround(v / 255) - m) / sd);
  lastLut = { mean, std, lut };
  return lut;
}

function uniform(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r + 0; // no -0
}

/** Python's round(x, 15): correctly rounded to 15 decimals (exact ties cannot occur here). */
function round15(x: number): number {
  return Number(x.toFixed(15));
}

/**
 * PIL Image.rotate's inverse matrix (center None, expand False), into m; false when PIL would
 * take its angle == 0 copy. Angles of exactly 90/180/270 (PIL transposes) are not special-cased.
 */
function rotationMatrix(angleDeg: number, m: Float64Array): boolean {
  let a = angleDeg % 360; // Python's float %: result takes the divisor's sign
  if (a < 0) a += 360;
  if (a === 0) return false;
  const r = -(a * DEG);
  const c = round15(Math.cos(r));
  const s = round15(Math.sin(r));
  const ns = round15(-Math.sin(r));
  m[0] = c;
  m[1] = s;
  m[3] = ns;
  m[4] = c;
  m[2] = c * -CENTER + s * -CENTER + 0 + CENTER;
  m[5] = ns * -CENTER + c * -CENTER + 0 + CENTER;
  return true;
}

/** torchvision.transforms.functional._get_inverse_affine_matrix, center (14, 14), into m. */
function affineMatrix(angle: number, tx: number, ty: number, scale: number, shearX: number, shearY: number, m: Float64Array): void {
  const rot = angle * DEG;
  const sx = shearX * DEG;
  const sy = shearY * DEG;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  m[0] = d / scale;
  m[1] = -b / scale;
  m[3] = -c / scale;
  m[4] = a / scale;
  m[2] = 0 + (m[0] * (-CENTER - tx) + m[1] * (-CENTER - ty)) + CENTER;
  m[5] = 0 + (m[3] * (-CENTER - tx) + m[4] * (-CENTER - ty)) + CENTER;
}

/**
 * PIL's ImagingTransformAffine with NEAREST (libImaging/Geometry.c, Pillow 9.4): output pixel
 * (x, y) reads source pixel floor(m . (x + 0.5, y + 0.5)), pixels mapped outside keep fill.
 * Three code paths, reproduced as written because they round differently.
 */
function transformNearest(src: Uint8Array, srcOffset: number, m: Float64Array, fill: number, out: Uint8Array): void {
  out.fill(fill, 0, PIXELS);
  if (m[1] === 0 && m[3] === 0) {
    scaleNearest(src, srcOffset, m, out);
  } else if (fitsFixed(m, 0, 0) && fitsFixed(m, SIDE, SIDE) && fitsFixed(m, 0, SIDE) && fitsFixed(m, SIDE, 0)) {
    affineFixed(src, srcOffset, m, out);
  } else {
    affineFloat(src, srcOffset, m, out);
  }
}

function fitsFixed(m: Float64Array, x: number, y: number): boolean {
  return Math.abs(x * m[0] + y * m[1] + m[2]) < 32768 && Math.abs(x * m[3] + y * m[4] + m[5]) < 32768;
}

function fix16(v: number): number {
  return Math.floor(v * 65536 + 0.5);
}

/** Geometry.c affine_fixed: 16.16 fixed point, stepped incrementally along rows and columns. */
function affineFixed(src: Uint8Array, srcOffset: number, m: Float64Array, out: Uint8Array): void {
  const a0 = fix16(m[0]);
  const a1 = fix16(m[1]);
  const a3 = fix16(m[3]);
  const a4 = fix16(m[4]);
  let a2 = fix16(m[2] + m[0] * 0.5 + m[1] * 0.5);
  let a5 = fix16(m[5] + m[3] * 0.5 + m[4] * 0.5);
  let o = 0;
  for (let y = 0; y < SIDE; y++) {
    let xx = a2;
    let yy = a5;
    for (let x = 0; x < SIDE; x++, o++) {
      const xin = xx >> 16;
      const yin = yy >> 16;
      if (xin >= 0 && xin < SIDE && yin >= 0 && yin < SIDE) out[o] = src[srcOffset + yin * SIDE + xin];
      xx += a0;
      yy += a3;
    }
    a2 += a1;
    a5 += a4;
  }
}

/** Geometry.c COORD: truncation, with every negative coordinate sent to -1. */
function coord(v: number): number {
  return v < 0 ? -1 : Math.trunc(v);
}

/** Geometry.c ImagingScaleAffine (no rotation or shear): double steps, truncated. */
function scaleNearest(src: Uint8Array, srcOffset: number, m: Float64Array, out: Uint8Array): void {
  const xintab = new Int32Array(SIDE);
  let xmin = SIDE;
  let xmax = 0;
  let xo = m[2] + m[0] * 0.5;
  let yo = m[5] + m[4] * 0.5;
  for (let x = 0; x < SIDE; x++) {
    const xin = coord(xo);
    if (xin >= 0 && xin < SIDE) {
      xmax = x + 1;
      if (x < xmin) xmin = x;
      xintab[x] = xin;
    }
    xo += m[0];
  }
  for (let y = 0; y < SIDE; y++) {
    const yi = coord(yo);
    if (yi >= 0 && yi < SIDE) {
      const row = srcOffset + yi * SIDE;
      for (let x = xmin; x < xmax; x++) out[y * SIDE + x] = src[row + xintab[x]];
    }
    yo += m[4];
  }
}

/** Geometry.c's floating-point affine path, only taken when fixed point would overflow. */
function affineFloat(src: Uint8Array, srcOffset: number, m: Float64Array, out: Uint8Array): void {
  let xo = m[2] + m[1] * 0.5 + m[0] * 0.5;
  let yo = m[5] + m[4] * 0.5 + m[3] * 0.5;
  for (let y = 0; y < SIDE; y++) {
    let xx = xo;
    let yy = yo;
    for (let x = 0; x < SIDE; x++) {
      const xin = coord(xx);
      const yin = coord(yy);
      if (xin >= 0 && xin < SIDE && yin >= 0 && yin < SIDE) out[y * SIDE + x] = src[srcOffset + yin * SIDE + xin];
      xx += m[0];
      yy += m[3];
    }
    xo += m[1];
    yo += m[4];
  }
}

/**
 * ImageEnhance.Brightness / Contrast: Image.blend(degenerate, img, factor), i.e. libImaging
 * ImagingBlend in float32 (factor cast to float), truncated to uint8 and clipped when factor > 1.
 * Contrast's degenerate value is int(mean + 0.5) of the image it is applied to.
 */
function jitter(img: Uint8Array, p: AugmentParams, s: Scratch): void {
  const { hist, lutB, lutC, lut } = s;
  hist.fill(0);
  for (let i = 0; i < PIXELS; i++) hist[img[i]]++;
  blendLut(0, p.brightness, lutB);
  if (p.brightnessFirst) {
    blendLut(roundedMean(hist, lutB), p.contrast, lutC);
    for (let v = 0; v < 256; v++) lut[v] = lutC[lutB[v]];
  } else {
    blendLut(roundedMean(hist, null), p.contrast, lutC);
    for (let v = 0; v < 256; v++) lut[v] = lutB[lutC[v]];
  }
  for (let i = 0; i < PIXELS; i++) img[i] = lut[img[i]];
}

function roundedMean(hist: Int32Array, map: Uint8Array | null): number {
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += hist[v] * (map ? map[v] : v);
  return Math.floor(sum / PIXELS + 0.5);
}

function blendLut(degenerate: number, factor: number, lut: Uint8Array): void {
  const alpha = Math.fround(factor);
  for (let v = 0; v < 256; v++) {
    const t = Math.fround(degenerate + Math.fround(alpha * (v - degenerate)));
    lut[v] = t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
  }
}

interface Scratch {
  tmp: Uint8Array;
  m: Float64Array;
  hist: Int32Array;
  lutB: Uint8Array;
  lutC: Uint8Array;
  lut: Uint8Array;
  norm: Float32Array;
}

let scratch: Scratch | undefined; // built on first use, never at import

function getScratch(): Scratch {
  if (scratch) return scratch;
  const norm = normLut(MEAN_DEFAULT, STD_DEFAULT);
  scratch = {
    tmp: new Uint8Array(PIXELS),
    m: new Float64Array(6),
    hist: new Int32Array(256),
    lutB: new Uint8Array(256),
    lutC: new Uint8Array(256),
    lut: new Uint8Array(256),
    norm,
  };
  return scratch;
}
