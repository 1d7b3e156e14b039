/** normreg bench: training speed of one engine (with --compare-pytorch, against the study's
 * PyTorch), or of several engines side by side (--engines). A benchmark, never a test. */
import { BACKEND_CHOICES } from '../engine/backend.js';
import { MODES, NORMS, benchEngine, type BenchOptions } from '../bench/measure.js';
import { listOf, oneOf, positiveInt } from './flags.js';
import type { Values } from './args.js';

/** What --engines takes: every backend, and wasm-ops (the wasm backend with --step ops). */
const ENGINES = [...BACKEND_CHOICES.filter((b) => b !== 'auto'), 'wasm-ops'];
const STEP_PATHS = ['compiled', 'ops'] as const;

export async function cmdBench(values: Values): Promise<number> {
  const engines = values.engines === undefined ? undefined : listOf('engines', values.engines, ENGINES);
  const o: BenchOptions = {
    norms: listOf('norms', values.norms, NORMS),
    // several engines: training steps only unless asked (each engine's epochs take minutes)
    modes: listOf('modes', values.modes, MODES, engines ? ['step'] : MODES),
    steps: positiveInt('steps', values.steps, 60),
    epochImages: positiveInt('epoch-images', values['epoch-images'], 60000),
    rounds: positiveInt('rounds', values.rounds, 3),
    backend: oneOf('backend', values.backend, BACKEND_CHOICES, 'auto'),
    threads: values.threads === undefined || values.threads === 'auto' ? values.threads : String(positiveInt('threads', values.threads, 1)),
    interThreads: values['inter-threads'],
    python: values['compare-pytorch'] ? values.python ?? 'python3' : undefined,
    json: !!values.json,
    step: oneOf('step', values.step, STEP_PATHS, 'compiled'),
  };
  if (engines) return (await import('../bench/engines.js')).benchEngines(engines, o);
  return benchEngine(o);
}
