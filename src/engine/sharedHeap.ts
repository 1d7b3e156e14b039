/** tfjs-backend-wasm's SIMD binary with its memory declared shared, so a second thread can run our
 * kernels on the same heap. The code is untouched (same instructions, same numerics); only the
 * memory section's limits change: flags 0x03 (shared, with maximum), maximum 65536 pages (4 GiB).
 * `npm run build` writes the patched copy to dist/ (`node dist/engine/sharedHeap.js`). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_HEAP_MAX_PAGES = 65536;
/** Where the patched binary lives (same relative path from src/engine under tsx and dist/engine). */
export const SHARED_HEAP_URL = new URL('../../dist/tfjs-backend-wasm-simd-shared.wasm', import.meta.url);

function readLeb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    if (b === undefined) throw new Error('wasm binary ends inside a LEB128 number');
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

function writeLeb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** Returns a copy of a wasm module whose single defined memory is shared (maximum 4 GiB). Pure. */
export function shareWasmMemory(bytes: Uint8Array): Uint8Array {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error('not a wasm (version 1) binary');
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let pos = 8;
  let patched = false;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, body] = readLeb(bytes, pos + 1);
    const end = body + size;
    if (end > bytes.length) throw new Error(`wasm section ${id} runs past the end of the binary`);
    if (id === 5) {
      const [count, q] = readLeb(bytes, body);
      if (count !== 1) throw new Error(`expected one defined memory, found ${count}`);
      const flags = bytes[q];
      const [min] = readLeb(bytes, q + 1);
      if (flags > 1) throw new Error(`the memory is already shared or 64-bit (limits flags ${flags})`);
      const section = [...writeLeb(1), 0x03, ...writeLeb(min), ...writeLeb(SHARED_HEAP_MAX_PAGES)];
      parts.push(Uint8Array.from([5, ...writeLeb(section.length), ...section]));
      patched = true;
    } else {
      parts.push(bytes.subarray(pos, end));
    }
    pos = end;
  }
  if (!patched) throw new Error('the binary defines no memory (it imports one or has none)');
  return Buffer.concat(parts);
}

/** Build step: patch the installed tfjs-backend-wasm SIMD binary into dist/. */
export function writeSharedHeapBinary(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const source = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-simd.wasm');
  const target = fileURLToPath(SHARED_HEAP_URL);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target + '.tmp', shareWasmMemory(readFileSync(source)));
  renameSync(target + '.tmp', target);
  return target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`shared-heap tfjs wasm binary: ${writeSharedHeapBinary()}\n`);
}
