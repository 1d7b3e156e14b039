/** The webgpu backend: tfjs-backend-webgpu on Dawn (npm `webgpu`), both imported lazily so that
 * their absence or failure breaks nothing else. The adapter policy is in adapter.ts; here Dawn
 * is started with that environment, the adapters are listed, the chosen one becomes tfjs's
 * 'webgpu' backend, and the kernels are kept deterministic:
 *  - matmul is pinned to MatMulPackedProgram (WEBGPU_MATMUL_PROGRAM_TYPE), never MatMulSplitK,
 *    which adds float partial sums with an atomic compare-exchange loop in whatever order the
 *    GPU runs them; conv2d's im2col path and 1x1 convs go through the same matmul;
 *  - any other program that accumulates floats with atomics (scatter, unsorted segment sum,
 *    sparse segment reduce, bincount with weights, dilation backprop) is refused when it runs,
 *    so that a new op in training fails a test instead of silently varying. */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendError, problem } from '../errors.js';
import { packageVersion } from '../util/packages.js';
import {
  ADAPTER_ENV, SWIFTSHADER_ICD, adapterRecord, chooseAdapter, dawnEnv, describeAdapter, parseAdapterRequest,
  type AdapterFacts, type AdapterRecord, type AdapterRequest,
} from './adapter.js';

const WEBGPU_PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'] as const;
/** tfjs-backend-webgpu's MatMulProgramType.MatMulPackedProgram: tiled, one thread per output tile, no atomics */
const MATMUL_PACKED = 3;
export const PINNED_FLAGS: Record<string, number | boolean> = { WEBGPU_MATMUL_PROGRAM_TYPE: MATMUL_PACKED };

export interface WebgpuFacts {
  adapter: AdapterRecord;
  request: AdapterRequest;
  /** tfjs flags set for determinism */
  flags: Record<string, number | boolean>;
  versions: Record<string, string>;
}

interface GpuAdapterLike {
  info: AdapterFacts & Record<string, unknown>;
  isFallbackAdapter?: boolean;
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(d: unknown): Promise<GpuDeviceLike>;
}
interface GpuDeviceLike { lost: Promise<{ reason: string; message: string }>; features: Set<string>; onuncapturederror: ((ev: { error: { message: string; constructor: { name: string } } }) => void) | null }
interface Gpu { requestAdapter(o?: Record<string, unknown>): Promise<GpuAdapterLike | null> }
interface WebgpuPackage { create(flags: string[]): Gpu; globals: Record<string, unknown> }
interface WebgpuProgram { atomic?: boolean; shaderKey?: string; constructor: { name: string } }


const INSTALL_FIX = 'run `npm ci` (webgpu and @tensorflow/tfjs-backend-webgpu are optional dependencies; npm skips them on platforms they do not support)';

function missingPackages(): string[] {
  return WEBGPU_PACKAGES.filter((p) => packageVersion(p) === null);
}

let gpu: Gpu | null = null;

/** Dawn's GPU object, started once per process with the environment the request needs. */
async function startDawn(request: AdapterRequest): Promise<Gpu> {
  if (gpu) return gpu;
  const missing = missingPackages();
  if (missing.length) throw new BackendError('BACKEND', [problem('', '--backend', `backend 'webgpu' is not available: ${missing.join(' and ')} not installed`, INSTALL_FIX)]);
  Object.assign(process.env, dawnEnv(request, process.env, process.platform, existsSync(SWIFTSHADER_ICD), () => mkdtempSync(join(tmpdir(), 'normreg-xdg-'))));
  let pkg: WebgpuPackage;
  try {
    pkg = (await import('webgpu')) as unknown as WebgpuPackage;
  } catch (e) {
    throw new BackendError('BACKEND', [problem('', '--backend', `backend 'webgpu' is not available: Dawn (npm webgpu) does not load: ${String((e as Error).message).split('\n')[0]}`, `${INSTALL_FIX}; Dawn's prebuilt addon needs linux-x64/arm64, darwin or win32`)], { cause: e });
  }
  Object.assign(globalThis, pkg.globals); // GPUBufferUsage, GPUMapMode, ... that tfjs-backend-webgpu reads as globals
  gpu = pkg.create([]);
  // tfjs-backend-webgpu looks for navigator.gpu (Node 20 has no navigator; 21+ has one without gpu)
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

/** Every adapter Dawn returns for the three WebGPU requests, in preference order (first: high-performance). */
async function listAdapters(g: Gpu): Promise<{ facts: AdapterFacts; adapter: GpuAdapterLike }[]> {
  const out: { facts: AdapterFacts; adapter: GpuAdapterLike }[] = [];
  for (const opts of [{ powerPreference: 'high-performance' }, { powerPreference: 'low-power' }, { forceFallbackAdapter: true }]) {
    const a = await g.requestAdapter(opts).catch(() => null);
    if (!a) continue;
    const facts = factsOf(a);
    if (!out.some((o) => describeAdapter(o.facts) === describeAdapter(facts))) out.push({ facts, adapter: a });
  }
  return out;
}

function factsOf(a: GpuAdapterLike): AdapterFacts {
  const i = a.info;
  return {
    vendor: String(i.vendor ?? ''), architecture: String(i.architecture ?? ''), device: String(i.device ?? ''),
    description: String(i.description ?? ''), isFallbackAdapter: Boolean(i.isFallbackAdapter ?? a.isFallbackAdapter ?? false),
  };
}

/** The adapters this process sees for a request, without starting a backend (the `backends` command and auto's probe). */
export async function probeAdapters(request: AdapterRequest): Promise<AdapterRecord[]> {
  const g = await startDawn(request);
  return (await listAdapters(g)).map((a) => adapterRecord(a.facts, process.platform));
}

let loaded: WebgpuFacts | null = null;
/** The first device loss or uncaptured GPU error of this process: every result after it is suspect. */
let failure: string | null = null;

/** Throws once the device was lost or reported an error (out of memory): called before each
 * program and before a checkpoint or result is written, so neither is written from a broken device. */
export function checkWebgpuDevice(): void {
  if (failure) throw new BackendError('RUN', [problem('', '--backend', failure, 'run the same command again: it resumes from the last epoch checkpoint (on out of memory: a smaller /training/batchSize, or another GPU)')]);
}

/** Start tfjs's 'webgpu' backend on the adapter the request allows (NORMREG_WEBGPU_ADAPTER). */
export async function loadWebgpu(env: Record<string, string | undefined> = process.env): Promise<WebgpuFacts> {
  const request = parseAdapterRequest(env);
  if (loaded && failure) {
    // the device is gone (lost, destroyed, out of memory): a later start in this process gets a new one
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    loaded = null;
    failure = null;
  }
  if (loaded) {
    if (loaded.request !== request) throw new BackendError('BACKEND', [problem('', ADAPTER_ENV, `the webgpu backend already runs on the ${loaded.request} adapter in this process`, 'run separate commands for separate adapters')]);
    await tf.setBackend('webgpu');
    return loaded;
  }
  const g = await startDawn(request);
  const seen = await listAdapters(g);
  const choice = chooseAdapter(request, seen.map((s) => s.facts));
  if (!choice.ok) throw new BackendError('BACKEND', [problem('', '--backend', `backend 'webgpu' is not available: ${choice.why}`, choice.fix)]);
  const picked = seen.find((s) => s.facts === choice.adapter)!.adapter;

  const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as { WebGPUBackend: new (device: unknown, info: unknown) => object };
  const Deterministic = deterministicBackend(mod.WebGPUBackend);
  // the package registers its own factory (its own adapter choice) when navigator.gpu exists
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    const device = await picked.requestDevice(deviceDescriptor(picked));
    void device.lost.then((info) => { failure ??= `the WebGPU device was lost (${info.reason || 'unknown'}: ${info.message})`; });
    // out of memory (and any other error tfjs does not capture) poisons every later result
    device.onuncapturederror = (ev) => { failure ??= `WebGPU ${ev.error.constructor.name === 'GPUOutOfMemoryError' ? 'out of memory' : `error (${ev.error.constructor.name})`}: ${ev.error.message}`; };
    return new Deterministic(device, picked.info) as unknown as tf.KernelBackend;
  }, 0);
  for (const [k, v] of Object.entries(PINNED_FLAGS)) tf.env().set(k, v);
  let ok = false;
  try {
    ok = await tf.setBackend('webgpu');
    await tf.ready();
  } catch (e) {
    throw new BackendError('BACKEND', [problem('', '--backend', `the webgpu backend did not start on ${describeAdapter(choice.adapter)}: ${(e as Error).message}`, 'check the GPU driver; or use --backend wasm')], { cause: e });
  }
  if (!ok || tf.getBackend() !== 'webgpu') throw new BackendError('BACKEND', [problem('', '--backend', `the webgpu backend did not start on ${describeAdapter(choice.adapter)}`, 'check the GPU driver; or use --backend wasm')]);
  loaded = {
    adapter: adapterRecord(choice.adapter, process.platform), request, flags: { ...PINNED_FLAGS },
    versions: { webgpu: packageVersion('webgpu') ?? 'unknown', 'tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu') ?? 'unknown' },
  };
  return loaded;
}

/** tfjs-backend-webgpu's own device request: the adapter's limits, timestamps when offered. */
function deviceDescriptor(a: GpuAdapterLike): Record<string, unknown> {
  const l = a.limits;
  return {
    requiredFeatures: a.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize, maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX, maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/** Programs that ran in this process, by class name (what training uses; the tests list them). */
export const programsRun = new Set<string>();

/** A program may accumulate with atomics only into integers (integer addition is order-free). Pure. */
export function atomicRefusal(program: { atomic?: boolean; name: string }, outputDtype: string): string | null {
  if (!program.atomic || outputDtype === 'int32') return null;
  return `${program.name} adds ${outputDtype} values with atomics, so its sums depend on the GPU's thread order`;
}

function deterministicBackend(Base: new (device: unknown, info: unknown) => object) {
  const B = Base as unknown as new (device: unknown, info: unknown) => { runWebGPUProgram(p: WebgpuProgram, ...rest: unknown[]): unknown };
  return class DeterministicWebGPUBackend extends B {
    override runWebGPUProgram(program: WebgpuProgram, inputs: unknown, outputDtype: string, ...rest: unknown[]): unknown {
      checkWebgpuDevice();
      const name = program.constructor.name;
      const refused = atomicRefusal({ atomic: program.atomic, name }, outputDtype);
      if (refused) throw new BackendError('BACKEND', [problem('', '--backend', `webgpu: ${refused}`, 'give this op a deterministic formulation in src/train (see src/engine/webgpu.ts), or use --backend wasm')]);
      programsRun.add(name);
      return super.runWebGPUProgram(program, inputs, outputDtype, ...rest);
    }
  };
}
