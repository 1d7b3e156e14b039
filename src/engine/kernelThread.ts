/** An optional second thread for the wasm kernels: a worker_threads worker with its own instance of
 * dist/kernels.wasm on the same (shared) heap. A kernel call is split into two halves that write
 * disjoint outputs and compute every output exactly as the whole call would, so results are
 * byte-identical with 1 or 2 threads. The handshake is two counters in a SharedArrayBuffer: the
 * caller bumps SEQ and runs its half, the helper runs the other half and sets DONE = SEQ. Both
 * sides spin briefly, then sleep in Atomics.wait with a short timeout (a plain wait was seen to
 * miss its wake-up), and the caller gives up after a deadline instead of freezing. */
import { Worker } from 'node:worker_threads';

export type KernelThreadErrorCode = 'THREAD_START' | 'THREAD_FAILED' | 'THREAD_TIMEOUT' | 'THREAD_EXITED';

export class KernelThreadError extends Error {
  readonly code: KernelThreadErrorCode;
  constructor(code: KernelThreadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KernelThreadError';
    this.code = code;
  }
}

/** Kernel exports the helper may run (indices travel through shared memory). */
const SPLIT_KERNELS = [
  'conv2dPadded', 'conv2dFilterGradPart', 'maxPoolGrad2x2',
  'normFwdSums', 'normFwdSqSums', 'normFwdSamples', 'normBwdSums', 'normBwdSamples',
  'reluForward', 'reluGrad', 'scaleInPlace', 'matMulTransA', 'matMulTransB',
] as const;
type SplitKernel = (typeof SPLIT_KERNELS)[number];

// Int32 control words.
export const SEQ = 0;     // caller -> helper: call number (-1: stop)
export const DONE = 1;    // helper -> caller: last call finished
export const STATUS = 2;  // 0 ok, 1 the helper's half threw
export const MSG_LEN = 3; // bytes of the error message
const CTRL_WORDS = 8;
const MAX_ARGS = 30;
const MSG_BYTES = 2048;
const SPIN = 20000;

export interface KernelThreadOptions {
  /** how long the caller waits for the helper's half before giving up (default 60 s) */
  deadlineMs?: number;
}

export interface KernelTeam {
  readonly threads: 2;
  /** exports[fn](...mine) on this thread while the helper runs exports[fn](...theirs). */
  split(fn: SplitKernel, mine: number[], theirs: number[]): void;
  close(): Promise<void>;
}

const WORKER_URL = new URL('../../dist/engine/kernelWorker.js', import.meta.url);

type Exports = Record<string, (...args: number[]) => void>;

export async function startKernelThread(module: WebAssembly.Module, memory: WebAssembly.Memory,
  local: Exports, opts: KernelThreadOptions = {}): Promise<KernelTeam> {
  const ctrlBuf = new SharedArrayBuffer(CTRL_WORDS * 4);
  const argBuf = new SharedArrayBuffer((MAX_ARGS + 2) * 8);
  const msgBuf = new SharedArrayBuffer(MSG_BYTES);
  const ctrl = new Int32Array(ctrlBuf);
  const args = new Float64Array(argBuf);
  const deadlineMs = opts.deadlineMs ?? 60_000;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_URL, { workerData: { module, memory, ctrlBuf, argBuf, msgBuf, names: [...SPLIT_KERNELS] } });
  } catch (cause) {
    throw new KernelThreadError('THREAD_START', `cannot start the kernel thread (${(cause as Error).message}); run \`npm run build\`, or use --threads 1`, { cause });
  }
  let exited: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(new KernelThreadError('THREAD_START', `the kernel thread failed to start: ${e.message}; use --threads 1`, { cause: e }));
    worker.once('error', onError);
    worker.once('message', (m: unknown) => {
      worker.off('error', onError);
      if (m === 'ready') resolve();
      else reject(new KernelThreadError('THREAD_START', `the kernel thread failed to start: ${String(m)}; use --threads 1`));
    });
  });
  worker.on('error', (e) => { exited = `it failed: ${e.message}`; });
  worker.on('exit', (code) => { exited ??= `it exited with code ${code}`; });
  worker.unref();

  let seq = 0;
  let closed = false;
  const index = new Map<string, number>(SPLIT_KERNELS.map((n, i) => [n, i]));

  function join(n: number, fn: string): void {
    let spins = 0;
    const start = Date.now();
    while (Atomics.load(ctrl, DONE) !== n) {
      if (spins < SPIN) { spins++; continue; }
      Atomics.wait(ctrl, DONE, Atomics.load(ctrl, DONE), 1);
      if (Date.now() - start > deadlineMs) {
        closed = true;
        void worker.terminate();
        throw new KernelThreadError('THREAD_TIMEOUT', `${fn}: the kernel thread did not finish its half within ${deadlineMs} ms` +
          `${exited ? ` (${exited})` : ''}; the run stops here (its checkpoints are kept); rerun, or use --threads 1`);
      }
    }
    if (Atomics.load(ctrl, STATUS) !== 0) {
      const len = Atomics.load(ctrl, MSG_LEN);
      const msg = Buffer.from(new Uint8Array(msgBuf).slice(0, len)).toString('utf8');
      throw new KernelThreadError('THREAD_FAILED', `${fn}: the kernel thread's half failed: ${msg}`);
    }
  }

  return {
    threads: 2,
    split(fn, mine, theirs) {
      if (closed) throw new KernelThreadError('THREAD_EXITED', `${fn}: the kernel thread was closed; use --threads 1`);
      if (exited) throw new KernelThreadError('THREAD_EXITED', `${fn}: the kernel thread is gone (${exited}); rerun, or use --threads 1`);
      if (theirs.length > MAX_ARGS) throw new Error(`${fn}: ${theirs.length} arguments, at most ${MAX_ARGS}`);
      args[0] = index.get(fn)!;
      args[1] = theirs.length;
      for (let i = 0; i < theirs.length; i++) args[2 + i] = theirs[i];
      const n = ++seq;
      Atomics.store(ctrl, SEQ, n);
      Atomics.notify(ctrl, SEQ);
      try {
        local[fn](...mine);
      } finally {
        join(n, fn); // the helper writes into tensors the caller may free: always wait for it
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      Atomics.store(ctrl, SEQ, -1);
      Atomics.notify(ctrl, SEQ);
      await worker.terminate();
    },
  };
}
