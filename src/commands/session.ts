/** Edges shared by the commands that write: the workspace lock and Ctrl-C handling. */
import { acquireLock } from '../workspace/lock.js';
import { EXIT_INTERRUPTED } from '../run/pool.js';
import type { Values } from './args.js';
import type { Workspace } from '../workspace/paths.js';

export function lockWorkspace(c: { ws: Workspace }, values: Values, command: string): Promise<() => void> {
  return acquireLock(c.ws, {
    wait: !values['no-wait'], command,
    onWait: (o) => process.stdout.write(`waiting: the workspace is locked by normreg ${o.command} (pid ${o.pid}, since ${o.startedAt})\n`),
    onStale: (o) => process.stdout.write(`note: took over a stale lock of pid ${o.pid} (that process is gone)\n`),
  });
}

export /** First Ctrl-C (or SIGTERM): stop at the next step boundary, keeping checkpoints; second: quit now. */
function interruptHandler(quiet: boolean) {
  const ac = new AbortController();
  const onSignal = () => {
    if (ac.signal.aborted) process.exit(EXIT_INTERRUPTED);
    if (!quiet) process.stderr.write('\nnormreg: stopping at the next step; checkpoints are kept (Ctrl-C again to quit now)\n');
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: ac.signal, dispose: () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); } };
}
