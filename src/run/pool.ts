/** Parallel runs: one child process per experiment (one engine per process), at most `jobs` at a
 * time. A child reports progress as JSON lines on stdout; a failing child does not stop the others. */
import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/normreg.js', import.meta.url));

export type WorkerEvent =
  | { type: 'progress'; name: string; epoch: number; epochs: number; step: number; steps: number; metrics?: Record<string, number> }
  | { type: 'done'; name: string; wallSeconds: number; imagesPerSec: number; resumedFromEpoch: number };

export interface PoolTask { name: string; args: string[] }

export interface PoolResult {
  name: string;
  status: 'ok' | 'failed' | 'interrupted' | 'not-started';
  exitCode: number | null;
  /** last lines of the child's stderr when it failed */
  error?: string;
  done?: Extract<WorkerEvent, { type: 'done' }>;
}

export const EXIT_INTERRUPTED = 130;

export async function runPool(tasks: PoolTask[], jobs: number, o: { cwd: string; signal?: AbortSignal; onEvent?: (slot: number, e: WorkerEvent) => void; onStart?: (slot: number, name: string) => void }): Promise<PoolResult[]> {
  const results: PoolResult[] = tasks.map((t) => ({ name: t.name, status: 'not-started', exitCode: null }));
  const running = new Set<ResultPromise>();
  let next = 0;
  const onAbort = () => { for (const c of running) c.kill('SIGINT'); };
  o.signal?.addEventListener('abort', onAbort);

  async function slot(k: number): Promise<void> {
    while (next < tasks.length && !o.signal?.aborted) {
      const i = next++;
      const t = tasks[i];
      o.onStart?.(k, t.name);
      const child = execa('node', [BIN, ...t.args], { cwd: o.cwd, reject: false, buffer: { stdout: false, stderr: true }, stdin: 'ignore', env: { NORMREG_WORKER: '1' } });
      running.add(child);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let e: WorkerEvent;
        try {
          e = JSON.parse(line);
        } catch {
          return; // not an event (should not happen; ignore rather than die)
        }
        if (e.type === 'done') results[i].done = e;
        o.onEvent?.(k, e);
      });
      const r = await child;
      running.delete(child);
      const code = r.exitCode ?? null;
      if (code === 0 && results[i].done) results[i] = { ...results[i], status: 'ok', exitCode: 0 };
      else if (code === EXIT_INTERRUPTED || (o.signal?.aborted && r.signal === 'SIGINT')) results[i] = { ...results[i], status: 'interrupted', exitCode: code };
      else {
        const tail = String(r.stderr ?? '').trim().split('\n').slice(-6).join('\n');
        const why = r.signal ? `worker killed by ${r.signal}` : code === 0 ? 'worker exited without a result' : `worker exited with code ${code}`;
        results[i] = { ...results[i], status: 'failed', exitCode: code, error: tail ? `${why}: ${tail}` : why };
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, tasks.length)) }, (_, k) => slot(k)));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  return results;
}
