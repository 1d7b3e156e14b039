/** An optional second thread for the wasm kernels: a worker_threads worker with its own instance of
 * dist/kernels.wasm on the same (shared) heap. A kernel call is split into two halves that write
 * disjoint outputs and compute every output exactly as the whole call would, so results are
 * byte-identical with 1 or 2 threads. The handshake is two counters in a SharedArrayBuffer: the
 * caller bumps SEQ and runs its half, the helper runs the other half and sets DONE = SEQ. Both
 * sides spin briefly, then sleep in Atomics.wait with a short timeout (a plain wait was seen to
 * miss its wake-up), and the caller gives up after a deadline instead of freezing.
 *
 * Between halves the helper would idle (while the caller runs the serial parts of a step), so it
 * also takes one kind of background job: the next step's dropout positions, drawn from the
 * dropout stream's state with util/dropGaps.ts in slices of a few microseconds, checking for a
 * half between slices. The caller posts the job with the stream's state, and takes the positions
 * and the stream's new state when the step needs them: the same draws in the same order as drawing
 * them there, so the bytes do not change. */
import { MessageChannel, Worker } from 'node:worker_threads';

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
  'reluForward', 'reluGrad', 'dropoutApply', 'matMulTransA', 'matMulTransB',
] as const;
type SplitKernel = (typeof SPLIT_KERNELS)[number];

// Int32 control words.
export const SEQ = 0;     // caller -> helper: call number (-1: stop)
export const DONE = 1;    // helper -> caller: last call finished
export const STATUS = 2;  // 0 ok, 1 the helper's half threw
export const MSG_LEN = 3; // bytes of the error message
export const JOB_SEQ = 4;  // caller -> helper: last draw job posted
export const JOB_DONE = 5; // helper -> caller: last draw job finished
export const JOB_MSG_LEN = 6; // bytes of a failed draw job's message
const CTRL_WORDS = 8;
const MAX_ARGS = 30;
const MSG_BYTES = 2048;
const SPIN = 20000;

/** The state of an alea stream (seedrandom's alea state()). */
export interface AleaState { c: number; s0: number; s1: number; s2: number }

/** One dropout layer of a draw job: its element count, drop rate and room for positions. */
export interface DrawLayer { size: number; p: number; cap: number }

/** Draws for one step, from the stream's state, layer after layer in order. */
interface DrawJob { state: AleaState; layers: DrawLayer[] }

/** A job's positions (views, valid until two more jobs are posted) and the stream's state after them. */
interface DrawResult { positions: Int32Array[]; state: AleaState }

/** The job buffer: the stream's state after the draws (4 f64), the status (i32: 0 drawn, 1 a layer
 * outgrew its cap, 2 the job failed), each layer's count (i32), then each layer's positions. */
export const DRAW_STATUS_AT = 32;
export const drawCountAt = (j: number) => DRAW_STATUS_AT + 4 + 4 * j;
export function drawLayout(layers: DrawLayer[]): { offsets: number[]; bytes: number } {
  let at = drawCountAt(layers.length);
  const offsets = layers.map((l) => { const o = at; at += 4 * l.cap; return o; });
  return { offsets, bytes: at };
}

/** What the helper receives for a job (through a MessagePort it reads without its event loop). */
export interface DrawMessage { ticket: number; job: DrawJob; buf: SharedArrayBuffer }

export interface KernelThreadOptions {
  /** how long the caller waits for the helper's half before giving up (default 60 s) */
  deadlineMs?: number;
}

export interface KernelTeam {
  readonly threads: 2;
  /** exports[fn](...mine) on this thread while the helper runs exports[fn](...theirs). */
  split(fn: SplitKernel, mine: number[], theirs: number[]): void;
  /** Hands the helper a draw job for its idle time; returns its ticket. At most two jobs are out:
   * take one before posting a third. */
  postDraws(job: DrawJob): number;
  /** Waits for the job's draws. null when a layer outgrew its cap: nothing of the job counts, so
   * draw it here from the job's state. */
  takeDraws(ticket: number): DrawResult | null;
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
  const jobMsgBuf = new SharedArrayBuffer(MSG_BYTES);
  const deadlineMs = opts.deadlineMs ?? 60_000;
  const jobs = new MessageChannel();
  jobs.port1.unref();
  let worker: Worker;
  try {
    worker = new Worker(WORKER_URL, {
      workerData: { module, memory, ctrlBuf, argBuf, msgBuf, jobMsgBuf, names: [...SPLIT_KERNELS], jobPort: jobs.port2 },
      transferList: [jobs.port2],
    });
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

  /** Waits until ctrl[word] reaches n (DONE: exactly n; JOB_DONE: at least n). */
  function waitFor(word: number, n: number, what: string, exact: boolean): void {
    let spins = 0;
    const start = Date.now();
    const reached = () => { const v = Atomics.load(ctrl, word); return exact ? v === n : v >= n; };
    while (!reached()) {
      if (spins < SPIN) { spins++; continue; }
      Atomics.wait(ctrl, word, Atomics.load(ctrl, word), 1);
      if (Date.now() - start > deadlineMs) {
        closed = true;
        void worker.terminate();
        throw new KernelThreadError('THREAD_TIMEOUT', `${what} within ${deadlineMs} ms` +
          `${exited ? ` (${exited})` : ''}; the run stops here (its checkpoints are kept); rerun, or use --threads 1`);
      }
    }
  }

  function join(n: number, fn: string): void {
    waitFor(DONE, n, `${fn}: the kernel thread did not finish its half`, true);
    if (Atomics.load(ctrl, STATUS) !== 0) {
      const len = Atomics.load(ctrl, MSG_LEN);
      const msg = Buffer.from(new Uint8Array(msgBuf).slice(0, len)).toString('utf8');
      throw new KernelThreadError('THREAD_FAILED', `${fn}: the kernel thread's half failed: ${msg}`);
    }
  }

  const usable = (what: string) => {
    if (closed) throw new KernelThreadError('THREAD_EXITED', `${what}: the kernel thread was closed; use --threads 1`);
    if (exited) throw new KernelThreadError('THREAD_EXITED', `${what}: the kernel thread is gone (${exited}); rerun, or use --threads 1`);
  };
  let ticket = 0;
  let taken = 0;
  const posted = new Map<number, { job: DrawJob; buf: SharedArrayBuffer; offsets: number[] }>();
  const bufs: SharedArrayBuffer[] = []; // two, alternating: a job's positions stay readable while the next one is drawn

  return {
    threads: 2,
    postDraws(job) {
      usable('dropout draws');
      if (posted.size >= 2) throw new Error('postDraws: two draw jobs are out already; take one first');
      for (const [j, l] of job.layers.entries()) {
        if (!(Number.isInteger(l.size) && l.size >= 0 && Number.isInteger(l.cap) && l.cap >= 0 && l.p >= 0 && l.p < 1)) {
          throw new Error(`postDraws: layer ${j} needs a whole size and cap >= 0 and 0 <= p < 1 (got size ${l.size}, cap ${l.cap}, p ${l.p})`);
        }
      }
      const n = ++ticket;
      const { offsets, bytes } = drawLayout(job.layers);
      const slot = n % 2;
      if (!bufs[slot] || bufs[slot].byteLength < bytes) bufs[slot] = new SharedArrayBuffer(8 * Math.ceil(bytes * 1.25 / 8));
      const buf = bufs[slot];
      posted.set(n, { job, buf, offsets });
      jobs.port1.postMessage({ ticket: n, job, buf } satisfies DrawMessage);
      Atomics.store(ctrl, JOB_SEQ, n);
      Atomics.notify(ctrl, SEQ); // wakes a sleeping helper (SEQ itself is unchanged)
      return n;
    },
    takeDraws(n) {
      const out = posted.get(n);
      if (out === undefined) throw new Error(`takeDraws: no draw job ${n} is out`);
      if (n !== taken + 1) throw new Error(`takeDraws: job ${n} before job ${taken + 1}`);
      usable('dropout draws');
      waitFor(JOB_DONE, n, 'dropout draws: the kernel thread did not finish the draws', false);
      posted.delete(n);
      taken = n;
      const i32 = new Int32Array(out.buf, 0, out.buf.byteLength >> 2);
      const status = i32[DRAW_STATUS_AT / 4];
      if (status === 2) {
        const len = Atomics.load(ctrl, JOB_MSG_LEN);
        throw new KernelThreadError('THREAD_FAILED', `dropout draws: the kernel thread's draws failed: ${Buffer.from(new Uint8Array(jobMsgBuf).slice(0, len)).toString('utf8')}`);
      }
      if (status !== 0) return null;
      const f64 = new Float64Array(out.buf, 0, 4);
      return {
        positions: out.job.layers.map((_, j) => new Int32Array(out.buf, out.offsets[j], i32[drawCountAt(j) / 4])),
        state: { c: f64[0], s0: f64[1], s1: f64[2], s2: f64[3] },
      };
    },
    split(fn, mine, theirs) {
      usable(fn);
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
