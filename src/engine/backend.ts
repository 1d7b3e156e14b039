/** Backend selection. auto: tensorflow-gpu when TensorFlow (set up by `normreg setup tensorflow
 * --gpu`) lists a GPU, else webgpu on a hardware adapter, else the wasm engine with our kernels
 * (the committed reference; never TensorFlow-CPU, which must be asked for with --backend
 * tensorflow, nor a software WebGPU adapter). The native packages and Dawn are imported lazily,
 * so their absence never breaks anything. */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BackendError, problem, UsageError } from '../errors.js';
import { packageVersion } from '../util/packages.js';
import { loadTensorflow, tfjsNodePackage, type TensorflowFacts, type TfThreads } from './tensorflow.js';
import type { WebgpuFacts } from './webgpu.js';
import { planAuto } from './adapter.js';

const WEBGPU_PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'];

const WASM_KERNELS_MODULE = './wasmKernels.js';
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** the name results and goldens are filed under */
  name: 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  /** tfjs backend name */
  tfBackend: string;
  /** wasm: kernel threads; tensorflow: intra-op threads */
  threads: number;
  /** custom kernels registered (wasm) */
  kernels: string[];
  versions: Record<string, string>;
  /** whether MaxPoolGrad should be the registered kernel (checked) or the core-ops formulation */
  useMaxPoolKernel: boolean;
  /** TensorFlow's version, devices, thread counts, oneDNN setting (tensorflow backends only) */
  tensorflow?: TensorflowFacts;
  /** the WebGPU adapter, the adapter request and the flags pinned for determinism (webgpu only) */
  webgpu?: WebgpuFacts;
}

async function activate(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Staged by `normreg setup tensorflow --gpu` (npm may install the package without its binding). */
function setUp(pkg: string): boolean {
  try {
    return existsSync(join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'deps', 'manifest.json'));
  } catch {
    return false;
  }
}

function tensorflowInfo(name: 'tensorflow' | 'tensorflow-gpu', facts: TensorflowFacts, base: Record<string, string>): BackendInfo {
  const pkg = tfjsNodePackage(name === 'tensorflow-gpu' ? 'gpu' : 'cpu');
  return {
    name, tfBackend: 'tensorflow', threads: facts.intraOpThreads, kernels: [], useMaxPoolKernel: false, tensorflow: facts,
    // the thread counts change TensorFlow's bits (measured), so they are part of a run's environment
    versions: { ...base, [pkg.replace('@tensorflow/', '')]: pkgVersion(pkg), tensorflow: facts.version, 'tensorflow-threads': `intra ${facts.intraOpThreads}, inter ${facts.interOpThreads}` },
  };
}

export interface SelectOptions {
  /** TensorFlow's thread pools, fixed when its binding loads (default: all cores intra-op, 1 inter-op) */
  tfThreads?: TfThreads;
}

export async function selectBackend(requested: BackendChoice, opts: SelectOptions = {}): Promise<BackendInfo> {
  const versions: Record<string, string> = { 'tfjs-core': tf.version_core };
  const tfThreads = opts.tfThreads ?? { intra: availableParallelism(), inter: 1 };
  let choice: BackendChoice = requested;
  if (choice === 'auto') {
    // the order is planAuto's (src/engine/adapter.ts); each probe runs only when its turn comes
    const tfSetUp = setUp(tfjsNodePackage('gpu'));
    let facts: TensorflowFacts | null = null;
    if (tfSetUp) facts = await loadTensorflow('gpu', tfThreads).catch(() => null); // a GPU setup that does not load is the same as none
    const gpu = facts ? facts.devices.includes('GPU') : null;
    const pick = planAuto({ tensorflowGpu: { setUp: tfSetUp, gpu }, webgpuHardware: gpu ? null : await autoWebgpu() }).backend;
    if (pick === 'tensorflow-gpu') return tensorflowInfo('tensorflow-gpu', facts!, versions);
    choice = pick;
  }
  if (choice === 'tensorflow-gpu') {
    const facts = await loadTensorflow('gpu', tfThreads);
    if (facts.devices.includes('GPU')) return tensorflowInfo('tensorflow-gpu', facts, versions);
    throw unavailable(choice, `TensorFlow ${facts.version} loaded but lists no GPU device (only ${facts.devices.join(', ')})`, 'check the NVIDIA driver (nvidia-smi) and `npx normreg setup tensorflow --gpu`; or use --backend tensorflow for the CPU');
  }
  if (choice === 'tensorflow') return tensorflowInfo('tensorflow', await loadTensorflow('cpu', tfThreads), versions);
  if (choice === 'webgpu') {
    const facts = await (await import('./webgpu.js')).loadWebgpu();
    return webgpuInfo(facts, versions);
  }
  if (choice === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    const mod = (await import(WASM_KERNELS_MODULE)) as WasmKernelsModule;
    mod.useSharedHeap(); // must precede the wasm backend's start (a no-op once it has started)
    if (!(await activate('wasm'))) throw unavailable('wasm', 'the wasm backend failed to initialize');
    let kernels: string[] = [];
    try {
      kernels = await mod.registerWasmKernels({ threads: 1 });
    } catch (e) {
      throw new BackendError('BACKEND', [problem('', '', `custom wasm kernels failed to load: ${(e as Error).message}`, 'run `npm run build` (it compiles the kernels into dist/)')], { cause: e });
    }
    return {
      name: 'wasm', tfBackend: 'wasm', threads: 1, kernels,
      versions: { ...versions, 'tfjs-backend-wasm': pkgVersion('@tensorflow/tfjs-backend-wasm') },
      useMaxPoolKernel: kernels.includes('MaxPoolGrad'),
    };
  }
  if (choice === 'cpu') {
    if (!(await activate('cpu'))) throw unavailable('cpu', 'the cpu backend failed to initialize');
    return { name: 'cpu', tfBackend: 'cpu', threads: 1, kernels: [], versions, useMaxPoolKernel: false };
  }
  throw unavailable(choice, 'unknown backend');
}

/** TensorFlow's thread counts: --threads N (intra-op; auto: all cores) and --inter-threads N (default 1). */
export function parseTfThreads(intra: string | undefined, inter: string | undefined): TfThreads {
  const one = (flag: string, text: string | undefined, auto: number): number => {
    if (text === undefined || text === 'auto') return auto;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw new UsageError(`--${flag} must be a positive integer or auto on the tensorflow backends (got '${text}')`);
    return n;
  };
  return { intra: one('threads', intra, availableParallelism()), inter: one('inter-threads', inter, 1) };
}

/** The wasm engine's kernel threads from --threads (TensorFlow's were fixed when it loaded). */
export async function applyThreads(info: BackendInfo, text: string | undefined, auto: 1 | 2): Promise<BackendInfo> {
  if (info.tensorflow) return info;
  return setBackendThreads(info, parseThreads(text, auto));
}

/** The --threads option: '1' or '2', or 'auto'/absent for the caller's default. */
export function parseThreads(text: string | undefined, auto: 1 | 2): 1 | 2 {
  if (text === undefined || text === 'auto') return auto;
  if (text !== '1' && text !== '2') throw new UsageError(`--threads must be 1, 2 or auto (got '${text}')`);
  return Number(text) as 1 | 2;
}

interface WasmKernelsModule {
  useSharedHeap(): void;
  registerWasmKernels(opts: { threads?: number }): Promise<string[]>;
}

/**
 * Threads for the wasm kernels: 1, or 2 with a helper thread (same bytes either way; see
 * src/engine/kernelThread.ts). Other backends keep their own threading and ignore this.
 */
async function setBackendThreads(info: BackendInfo, threads: number): Promise<BackendInfo> {
  if (threads !== 1 && threads !== 2) {
    throw new BackendError('BACKEND', [problem('', '--threads', `threads must be 1 or 2 (got ${threads})`, 'use --threads 1 or --threads 2')]);
  }
  if (info.name !== 'wasm' || info.threads === threads) return info;
  const mod = (await import(WASM_KERNELS_MODULE)) as WasmKernelsModule;
  try {
    await mod.registerWasmKernels({ threads });
  } catch (e) {
    throw new BackendError('BACKEND', [problem('', '--threads', `cannot start the second kernel thread: ${(e as Error).message}`, 'use --threads 1')], { cause: e });
  }
  return { ...info, threads };
}

function unavailable(choice: string, why: string, fix = `use --backend auto or one of ${BACKEND_CHOICES.join(', ')}`): BackendError {
  return new BackendError('BACKEND', [problem('', '--backend', `backend '${choice}' is not available: ${why}`, fix)]);
}

function pkgVersion(pkg: string): string {
  return packageVersion(pkg) ?? 'unknown';
}

function webgpuInfo(facts: WebgpuFacts, base: Record<string, string>): BackendInfo {
  const a = facts.adapter;
  return {
    name: 'webgpu', tfBackend: 'webgpu', threads: 1, kernels: [], useMaxPoolKernel: false, webgpu: facts,
    // the adapter and its driver decide the bits (as TensorFlow's thread counts do), so they are part of a run's environment
    versions: { ...base, ...facts.versions, adapter: `${a.vendor} ${a.architecture} ${a.device}`.trim(), driver: a.driver, 'adapter-software': String(a.software) },
  };
}

/** auto: a hardware WebGPU adapter, probed in a child process (Dawn's driver warnings and any crash stay there). */
async function autoWebgpu(): Promise<boolean | null> {
  if (WEBGPU_PACKAGES.some((p) => pkgVersion(p) === 'unknown')) return null;
  const { probeWebgpu } = await import('./webgpuProbe.js');
  const p = await probeWebgpu('hardware');
  return p.ok ? p.adapters.some((a) => !a.software) : null;
}
