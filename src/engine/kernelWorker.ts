/** The helper thread of kernelThread.ts: instantiates dist/kernels.wasm on the shared heap, then
 * runs the halves it is handed until told to stop, and draws dropout positions ahead between them.
 * Never returns to its event loop while running (jobs arrive through receiveMessageOnPort). */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import seedrandom from 'seedrandom';
import { drawGaps, gapScale, newCursor, type GapCursor } from '../util/dropGaps.js';
import { DONE, DRAW_STATUS_AT, JOB_DONE, JOB_MSG_LEN, JOB_SEQ, MSG_LEN, SEQ, STATUS, drawCountAt, drawLayout, type AleaState, type DrawMessage } from './kernelThread.js';

interface Data {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrlBuf: SharedArrayBuffer;
  argBuf: SharedArrayBuffer;
  msgBuf: SharedArrayBuffer;
  jobMsgBuf: SharedArrayBuffer;
  names: string[];
  jobPort: MessagePort;
}

// Stay awake this long after a half (a kernel step issues the next split within ~0.1-2 ms; waking
// from Atomics.wait costs tens of microseconds each time), then sleep.
const AWAKE_MS = 5;
// Draws per slice of a draw job (about 40 ns each): a half waits at most this long to start.
const SLICE = 256;

/** A draw job under way: layer after layer, a slice at a time. */
class Drawing {
  private readonly rand: () => number;
  private readonly prng: { double(): number; state(): object };
  private readonly views: Int32Array[];
  private layer = 0;
  private cur: GapCursor = newCursor();
  private readonly i32: Int32Array;

  constructor(readonly m: DrawMessage) {
    this.prng = seedrandom.alea('', { state: m.job.state as unknown as true }) as unknown as { double(): number; state(): object };
    const prng = this.prng;
    this.rand = () => prng.double();
    const { offsets } = drawLayout(m.job.layers);
    this.views = m.job.layers.map((l, j) => new Int32Array(m.buf, offsets[j], l.cap));
    this.i32 = new Int32Array(m.buf, 0, m.buf.byteLength >> 2);
  }

  /** One slice; true when the job is finished (drawn, or a layer outgrew its cap). */
  slice(): boolean {
    const layers = this.m.job.layers;
    while (this.layer < layers.length) {
      const l = layers[this.layer];
      const st = l.p <= 0 ? 'done' : drawGaps(l.size, gapScale(l.p), this.rand, this.views[this.layer], this.cur, SLICE);
      if (st === 'more') return false;
      if (st === 'full') return this.finish(1);
      this.i32[drawCountAt(this.layer) / 4] = this.cur.count;
      this.layer++;
      this.cur = newCursor();
      if (this.layer < layers.length) return false; // check for a half between layers
    }
    const s = this.prng.state() as AleaState;
    const f64 = new Float64Array(this.m.buf, 0, 4);
    f64[0] = s.c; f64[1] = s.s0; f64[2] = s.s1; f64[3] = s.s2;
    return this.finish(0);
  }

  finish(status: number): true {
    this.i32[DRAW_STATUS_AT / 4] = status;
    return true;
  }
}

function serve(data: Data): void {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const exp = instance.exports as Record<string, (...a: number[]) => void>;
  const fns = data.names.map((n) => exp[n]);
  const ctrl = new Int32Array(data.ctrlBuf);
  const args = new Float64Array(data.argBuf);
  const msg = new Uint8Array(data.msgBuf);
  const jobMsg = new Uint8Array(data.jobMsgBuf);
  parentPort!.postMessage('ready');
  let seen = 0;
  let drawing: Drawing | null = null;
  let jobsSeen = 0;
  const done = (m: DrawMessage) => {
    Atomics.store(ctrl, JOB_DONE, m.ticket);
    Atomics.notify(ctrl, JOB_DONE);
  };
  /** The job threw: its status says so, its message goes where the caller reads it. */
  const failed = (m: DrawMessage, e: unknown) => {
    const bytes = Buffer.from(String((e as Error)?.message ?? e), 'utf8').subarray(0, jobMsg.length);
    jobMsg.set(bytes);
    Atomics.store(ctrl, JOB_MSG_LEN, bytes.length);
    if (m.buf.byteLength >= DRAW_STATUS_AT + 4) new Int32Array(m.buf, DRAW_STATUS_AT, 1)[0] = 2;
    done(m);
  };
  for (;;) {
    let idleSince = performance.now();
    let spins = 0;
    while (Atomics.load(ctrl, SEQ) === seen) {
      if (drawing) {
        const d: Drawing = drawing;
        try {
          if (d.slice()) { drawing = null; done(d.m); }
        } catch (e) {
          failed(d.m, e);
          drawing = null;
        }
        idleSince = performance.now();
        continue;
      }
      if (Atomics.load(ctrl, JOB_SEQ) !== jobsSeen) {
        const m = receiveMessageOnPort(data.jobPort);
        if (m !== undefined) {
          const dm = m.message as DrawMessage;
          jobsSeen = dm.ticket;
          try {
            drawing = new Drawing(dm);
          } catch (e) {
            failed(dm, e);
          }
        }
        continue;
      }
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
