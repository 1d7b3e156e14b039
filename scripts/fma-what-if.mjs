// What a numerics change would buy the convolutions (docs/engine.md): the engine's 3x3 convolution
// kernels (src/engine/assembly/conv.ts, convFilter.ts) built twice, as they are and with every
// `f32x4.add(acc, f32x4.mul(a, b))` turned into relaxed SIMD's `f32x4.relaxed_madd(a, b, acc)`,
// which V8 compiles to a fused multiply-add where the CPU has one. Both builds run the study's
// three convolution layers (forward, input gradient, filter gradient) on one thread, alternating,
// on the same inputs; the script prints the times, the ratio, and how many outputs changed bits.
// The engine itself never uses this build: a fused multiply-add rounds once instead of twice, so
// every golden's bytes would change, and relaxed SIMD lets an engine fuse or not, so bytes would
// also depend on the CPU.
// usage: npm run profile:fma -- [repeats]   (no build needed; it compiles its own copies)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ghz, repeatsArg } from './measure.mjs';

const repeats = repeatsArg('profile:fma');
// Node 20's V8 has relaxed SIMD behind a flag (later versions ship it): if this Node cannot compile
// a function using f32x4.relaxed_madd, run again with the flag.
const MADD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 62, 1, 60, 0,
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array(16).fill(0)]), 0xfd, 0x85, 0x02, 0x1a, 0x0b]);
if (!WebAssembly.validate(MADD_PROBE)) {
  if (process.execArgv.includes('--experimental-wasm-relaxed-simd')) throw new Error('this Node cannot compile relaxed SIMD');
  const again = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(again.status ?? 1);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', '.bin', 'asc');
const dir = mkdtempSync(join(tmpdir(), 'normreg-fma-'));

const MULADD = /f32x4\.add\((\w+), f32x4\.mul\(([^(),]+(?:\([^()]*\))?), ([^(),]+(?:\([^()]*\))?)\)\)/g;
function build(name, fuse) {
  let count = 0;
  for (const file of ['conv.ts', 'convFilter.ts']) {
    let src = readFileSync(join(root, 'src', 'engine', 'assembly', file), 'utf8');
    if (fuse) src = src.replace(MULADD, (_, acc, a, b) => { count++; return `f32x4.relaxed_madd(${a}, ${b}, ${acc})`; });
    writeFileSync(join(dir, `${name}-${file}`), src);
  }
  writeFileSync(join(dir, `${name}.ts`),
    `export { conv2dPadded, flipSwapFilter } from './${name}-conv';\nexport { conv2dFilterGrad } from './${name}-convFilter';\n`);
  execFileSync(asc, [join(dir, `${name}.ts`), '-o', join(dir, `${name}.wasm`), '--enable', 'simd', '--enable', 'relaxed-simd',
    '--runtime', 'stub', '-O3', '--noAssert', '--use', 'abort=', '--initialMemory', '1024'], { stdio: 'inherit' });
  return { count, bytes: readFileSync(join(dir, `${name}.wasm`)) };
}
let plainBuild, fusedBuild;
try {
  plainBuild = build('plain', false);
  fusedBuild = build('fused', true);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (fusedBuild.count === 0) throw new Error('no multiply-add pattern found: the kernels changed shape; update MULADD');

async function load(bytes) {
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return instance.exports;
}
const plain = await load(plainBuild.bytes);
const fused = await load(fusedBuild.bytes);

// Same inputs in both memories: a bump allocator from 1 MiB up.
function arena(k) {
  let top = 1 << 20;
  return (floats) => { const p = top; top += Math.ceil(floats * 8 / 64) * 64; if (top > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((top - k.memory.buffer.byteLength) / 65536)); return p; };
}
let seed = 1;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 - 0.5; };
const layers = [[64, 26, 26, 8, 16], [64, 12, 12, 8, 16], [64, 10, 10, 16, 16]].map(([n, h, w, ci, co]) => {
  const data = (len) => Float32Array.from({ length: len }, rand);
  return { n, h, w, ci, co, oh: h - 2, ow: w - 2, x: data(n * h * w * ci), f: data(9 * ci * co), dy: data(n * (h - 2) * (w - 2) * co) };
});
function place(k) {
  const alloc = arena(k);
  return layers.map((l) => {
    const at = (arr) => { const p = alloc(arr.length); new Float32Array(k.memory.buffer, p, arr.length).set(arr); return p; };
    return { x: at(l.x), f: at(l.f), dy: at(l.dy), y: alloc(l.dy.length), dx: alloc(l.x.length), wt: alloc(l.f.length),
      dw: alloc(l.f.length), acc: alloc(2 * l.f.length) };
  });
}
const spots = new Map([[plain, place(plain)], [fused, place(fused)]]);
const ops = (k, l, s) => [
  () => k.conv2dPadded(s.x, s.f, s.y, l.n, l.h, l.w, l.ci, 3, 3, l.co, l.oh, l.ow, 0, 0),
  () => { k.flipSwapFilter(s.f, s.wt, 3, 3, l.ci, l.co); k.conv2dPadded(s.dy, s.wt, s.dx, l.n, l.oh, l.ow, l.co, 3, 3, l.ci, l.h, l.w, 2, 2); },
  () => k.conv2dFilterGrad(s.x, s.dy, s.dw, s.acc, l.n, l.h, l.w, l.ci, 3, 3, l.co, l.oh, l.ow),
];
function time(k) {
  let ms = 0;
  layers.forEach((l, i) => {
    for (const op of ops(k, l, spots.get(k)[i])) {
      op();
      const t0 = performance.now();
      for (let r = 0; r < 10; r++) op();
      ms += (performance.now() - t0) / 10;
    }
  });
  return ms;
}
const flops = layers.reduce((sum, l) => sum + 3 * 2 * l.n * l.oh * l.ow * l.co * 9 * l.ci, 0);

console.log(`${fusedBuild.count} multiply-adds fused; the study's three 3x3 convolutions, forward + input gradient + filter gradient, one thread`);
const ratios = [];
for (let r = 0; r < repeats; r++) {
  const g0 = ghz();
  const a = time(plain);
  const b = time(fused);
  const g = (g0 + ghz()) / 2;
  ratios.push(a / b);
  console.log(`clock ${g.toFixed(2)} GHz; mul+add ${a.toFixed(2)} ms (${(flops / a / 1e6 / g).toFixed(1)} flop/cycle), ` +
    `fused ${b.toFixed(2)} ms (${(flops / b / 1e6 / g).toFixed(1)} flop/cycle): ${(a / b).toFixed(2)}x`);
}
// How many outputs changed bits (rounded once instead of twice).
let changed = 0, total = 0, worst = 0;
layers.forEach((l, i) => {
  for (const key of ['y', 'dx', 'dw']) {
    const len = key === 'y' ? l.dy.length : key === 'dx' ? l.x.length : l.f.length;
    const u = new Float32Array(plain.memory.buffer, spots.get(plain)[i][key], len);
    const v = new Float32Array(fused.memory.buffer, spots.get(fused)[i][key], len);
    const ub = new Uint32Array(u.buffer, u.byteOffset, len), vb = new Uint32Array(v.buffer, v.byteOffset, len);
    for (let j = 0; j < len; j++) {
      total++;
      if (ub[j] !== vb[j]) { changed++; worst = Math.max(worst, Math.abs(u[j] - v[j]) / Math.max(1e-30, Math.abs(u[j]))); }
    }
  }
});
ratios.sort((x, y) => x - y);
console.log(`median ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}x; outputs with other bits: ${changed} of ${total}` +
  ` (${(100 * changed / total).toFixed(1)}%), largest relative difference ${worst.toExponential(1)}` +
  (changed === 0 ? ' (no output changed: this engine did not fuse, so the times compare the same arithmetic)' : ''));
