/** Loading TensorFlow's binding (tfjs-node or tfjs-node-gpu, built by `normreg setup tensorflow`)
 * with fixed thread counts, and what it tells about itself. The thread counts and
 * TF_DETERMINISTIC_OPS are read from the environment when the binding creates its eager context,
 * i.e. when the package is first imported: they are set here just before, once per process. */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { BackendError, problem } from '../errors.js';

export type TfVariant = 'cpu' | 'gpu';
export const tfjsNodePackage = (v: TfVariant) => (v === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
const SETUP_FIX = 'run `npx normreg setup tensorflow` (add --gpu for tensorflow-gpu); `npm ci` removes the binding, the setup restores it from its cache in seconds';

export interface TfThreads { intra: number; inter: number }

export interface TensorflowFacts {
  version: string;
  /** device kinds TensorFlow lists (the binding reports whether a GPU is among them) */
  devices: string[];
  intraOpThreads: number;
  interOpThreads: number;
  /** TF_ENABLE_ONEDNN_OPTS as the process saw it ('unset': TensorFlow's default, on for x86 Linux) */
  onednn: string;
  deterministicOps: string;
}

/** The environment TensorFlow must see when its binding loads. Pure. */
export function tensorflowEnv(threads: TfThreads, variant: TfVariant, env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {
    TF_NUM_INTRAOP_THREADS: String(threads.intra),
    TF_NUM_INTEROP_THREADS: String(threads.inter),
    TF_CPP_MIN_LOG_LEVEL: env.TF_CPP_MIN_LOG_LEVEL ?? '2', // hide absl/cpu_feature_guard chatter
  };
  // GPU reductions (cuDNN/cuBLAS autotuning, atomics) are nondeterministic unless asked; the CPU
  // kernels measured bit-identical either way.
  if (variant === 'gpu') out.TF_DETERMINISTIC_OPS = '1';
  return out;
}

interface Binding { TF_Version: string; isUsingGpuDevice(): boolean }
let loaded: { variant: TfVariant; threads: TfThreads; facts: TensorflowFacts } | null = null;

/** Imports the binding with these thread counts and activates tfjs's 'tensorflow' backend. */
export async function loadTensorflow(variant: TfVariant, threads: TfThreads): Promise<TensorflowFacts> {
  if (loaded) {
    if (loaded.variant !== variant || loaded.threads.intra !== threads.intra || loaded.threads.inter !== threads.inter)
      throw new BackendError('BACKEND', [problem('', '--threads', `TensorFlow is already loaded in this process with ${loaded.threads.intra} intra-op thread(s) (${loaded.variant}); its thread pools cannot change`, 'run separate commands for separate thread counts')]);
    await tf.setBackend('tensorflow');
    return loaded.facts;
  }
  const pkg = tfjsNodePackage(variant);
  try {
    createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    throw new BackendError('BACKEND', [problem('', '--backend', `${pkg} is not installed`, SETUP_FIX)]);
  }
  Object.assign(process.env, tensorflowEnv(threads, variant, process.env));
  try {
    await import(pkg);
  } catch (e) {
    throw new BackendError('BACKEND', [problem('', '--backend', `${pkg} is installed but its TensorFlow binding does not load: ${String((e as Error).message).split('\n')[0]}`, SETUP_FIX)], { cause: e });
  }
  if (!(await tf.setBackend('tensorflow'))) throw new BackendError('BACKEND', [problem('', '--backend', `${pkg} loaded but the 'tensorflow' backend did not start`, SETUP_FIX)]);
  await tf.ready();
  const binding = (tf.backend() as unknown as { binding: Binding }).binding;
  const facts: TensorflowFacts = {
    version: binding.TF_Version,
    devices: binding.isUsingGpuDevice() ? ['CPU', 'GPU'] : ['CPU'],
    intraOpThreads: threads.intra,
    interOpThreads: threads.inter,
    onednn: process.env.TF_ENABLE_ONEDNN_OPTS ?? 'unset (TensorFlow default: on)',
    deterministicOps: process.env.TF_DETERMINISTIC_OPS ?? 'unset',
  };
  loaded = { variant, threads, facts };
  return facts;
}
