/** The helper thread of kernelThread.ts: instantiates dist/kernels.wasm on the shared heap, then
 * runs the halves it is handed until told to stop. Never returns to its event loop while running. */
import { parentPort, workerData } from 'node:worker_threads';
import { DONE, MSG_LEN, SEQ, STATUS } from './kernelThread.js';

interface Data {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrlBuf: SharedArrayBuffer;
  argBuf: SharedArrayBuffer;
  msgBuf: SharedArrayBuffer;
  names: string[];
}

// Stay awake this long after a half (a kernel step issues the next split within ~0.1-2 ms; waking
// from Atomics.wait costs tens of microseconds each time), then sleep.
const AWAKE_MS = 5;

function serve(data: Data): void {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const exp = instance.exports as Record<string, (...a: number[]) => void>;
  const fns = data.names.map((n) => exp[n]);
  const ctrl = new Int32Array(data.ctrlBuf);
  const args = new Float64Array(data.argBuf);
  const msg = new Uint8Array(data.msgBuf);
  parentPort!.postMessage('ready');
  let seen = 0;
  for (;;) {
    const idleSince = performance.now();
    let spins = 0;
    while (Atomics.load(ctrl, SEQ) === seen) {
      if (++spins % 256 !== 0 || performance.now() - idleSince < AWAKE_MS) continue;
      Atomics.wait(ctrl, SEQ, seen, 2);
    }
    const n = Atomics.load(ctrl, SEQ);
    if (n < 0) return;
    const fn = fns[args[0]];
    const argc = args[1];
    const a: number[] = [];
    for (let i = 0; i < argc; i++) a.push(args[2 + i]);
    let status = 0;
    try {
      fn(...a);
    } catch (e) {
      status = 1;
      const bytes = Buffer.from(String((e as Error)?.message ?? e), 'utf8').subarray(0, msg.length);
      msg.set(bytes);
      Atomics.store(ctrl, MSG_LEN, bytes.length);
    }
    Atomics.store(ctrl, STATUS, status);
    Atomics.store(ctrl, DONE, n);
    Atomics.notify(ctrl, DONE);
    seen = n;
  }
}

try {
  serve(workerData as Data);
} catch (e) {
  parentPort?.postMessage(`error: ${(e as Error).message}`);
}
