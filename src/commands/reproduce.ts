/** normreg reproduce: plan, train (in process or in --jobs workers), verify, report. */
import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES, applyThreads, parseThreads, selectBackend, type BackendChoice, type BackendInfo } from '../engine/backend.js';
import { checkInputs } from '../verify/inputs.js';
import { runEnvFor } from '../plan/env.js';
import { checkData } from '../data/check.js';
import { EXIT_INTERRUPTED } from '../run/pool.js';
import { estimateLine } from '../bench/planEstimate.js';
import { planWithCopies, renderHeader, renderOutcome, toTrain, trainPlan, verifyTrained } from '../pipeline/reproduce.js';
import { printPlan } from '../pipeline/print.js';
import { common, selectionOf, updateMode, type Values } from './args.js';
import { oneOf, parseJobs, parseShard, tfThreadsFor } from './flags.js';
import { interruptHandler, lockWorkspace } from './session.js';

function workerArgs(values: Values, profile: string, backend: BackendInfo, name: string): string[] {
  return ['worker', '--profile', profile, '--backend', backend.name, '--threads', String(Math.max(1, backend.threads)), ...(backend.tensorflow ? ['--inter-threads', String(backend.tensorflow.interOpThreads)] : []), '--only', name, ...(values.specs ? ['--specs', values.specs] : []), ...(values.seeds ? ['--seeds', values.seeds] : []), ...(values.force ? ['--force'] : [])];
}

export async function cmdReproduce(values: Values): Promise<number> {
  const c0 = common(values);
  updateMode(values); // a wrong --update is refused before anything else
  const shard = parseShard(values.shard);
  const backendChoice = oneOf('backend', values.backend, BACKEND_CHOICES, 'auto') as BackendChoice;
  checkData(c0.specs); // every dataset and network problem surfaces before anything is written
  await checkInputs(c0.ws, c0.specs, c0.all, { goldens: values.update !== 'all' }); // and every golden, claims or figures problem
  let backend = await selectBackend(backendChoice, { tfThreads: tfThreadsFor(backendChoice, values) });
  // results are filed by the backend that actually trains (auto may become tensorflow-gpu)
  const c = { ...c0, ws: backend.name === 'wasm' ? { root: c0.ws.root } : { root: c0.ws.root, backend: backend.name } };
  const env = runEnvFor(backend);
  const mode = updateMode(values, backend.name); // a non-reference backend writes goldens only when asked
  if (!backend.tensorflow) parseThreads(values.threads, 1); // flag errors before the lock creates results/
  parseJobs(values.jobs, backend, 1);
  // the plan is made once, under the lock (a command we waited for may have produced some results)
  const release = values.dry ? () => {} : await lockWorkspace(c, values, 'reproduce');
  const intr = interruptHandler(false);
  try {
    const plan = planWithCopies(c, env, !!values.force, shard);
    const training = toTrain(plan).length;
    // auto: a single run gets both cores' worth of kernel threads; several runs go side by side instead
    const autoThreads = (values.jobs === undefined || values.jobs === 'auto') && training === 1 && availableParallelism() >= 2 ? 2 : 1;
    backend = await applyThreads(backend, values.threads, autoThreads);
    const jobs = parseJobs(values.jobs, backend, training);
    process.stdout.write(renderHeader(c, plan, shard, backend, jobs) + `${await estimateLine(c.ws, plan, backend, jobs)}\n`);
    printPlan(plan, process.stdout);
    if (values.dry) return 0;
    const t0 = performance.now();
    const results = await trainPlan(c, plan, backend, jobs, (name) => workerArgs(values, c.profile, backend, name), intr.signal);
    process.stdout.write(renderOutcome(plan, results, (performance.now() - t0) / 1000));
    if (intr.signal.aborted) {
      const stopped = results.filter((r) => r.status === 'interrupted' || r.status === 'not-started');
      process.stdout.write(`interrupted: ${stopped.map((r) => r.name).join(', ') || 'nothing'} not finished; run the same command again to resume from the last completed epoch\n`);
      return EXIT_INTERRUPTED;
    }
    const ok = await verifyTrained(c, plan, results, mode, shard && { shard, env, backend: backend.name, selection: selectionOf(values) });
    return results.some((r) => r.status === 'failed') ? 2 : ok ? 0 : 1;
  } finally {
    intr.dispose();
    release();
  }
}
