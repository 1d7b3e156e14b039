/** normreg worker (internal): one run in a child process of `reproduce --jobs`; progress as JSON
 * lines on stdout. */
import { UsageError } from '../errors.js';
import { BACKEND_CHOICES, applyThreads, selectBackend, type BackendChoice } from '../engine/backend.js';
import { planRuns } from '../plan/runs.js';
import { EXIT_INTERRUPTED } from '../run/pool.js';
import { executeRun } from '../run/runSpec.js';
import { runEnvFor } from '../plan/env.js';
import { TrainInterrupted } from '../train/loop.js';
import { common, type Values } from './args.js';
import { oneOf, tfThreadsFor } from './flags.js';
import { interruptHandler } from './session.js';

export async function cmdWorker(values: Values): Promise<number> {
  const all = common(values);
  const c = { ...all, specs: all.specs.filter((s) => s.name === values.only) };
  if (c.specs.length !== 1) throw new UsageError('worker runs exactly one run (--only RUN-NAME)');
  const choice = oneOf('backend', values.backend, BACKEND_CHOICES, 'auto') as BackendChoice;
  const selected = await selectBackend(choice, { tfThreads: tfThreadsFor(choice, values) });
  const backend = await applyThreads(selected, values.threads, 1);
  const [run] = planRuns(c.ws, c.specs, runEnvFor(backend), !!values.force);
  const emit = (e: object) => process.stdout.write(JSON.stringify(e) + '\n');
  const intr = interruptHandler(true);
  let last = 0;
  try {
    const { facts } = await executeRun(c.ws, run, backend, {
      signal: intr.signal,
      onProgress: (p) => {
        if (!p.metrics && performance.now() - last < 250) return;
        last = performance.now();
        emit({ type: 'progress', name: run.spec.name, epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.steps, metrics: p.metrics });
      },
    });
    emit({ type: 'done', name: run.spec.name, wallSeconds: facts.wallSeconds, imagesPerSec: facts.imagesPerSec, resumedFromEpoch: facts.resumedFromEpoch });
    return 0;
  } catch (e) {
    if (e instanceof TrainInterrupted) return EXIT_INTERRUPTED;
    throw e;
  } finally {
    intr.dispose();
  }
}
