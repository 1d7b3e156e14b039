import type { Layer, NormType } from './network.js';

export const PROFILES = ['full', 'smoke', 'tiny'] as const;
export type Profile = (typeof PROFILES)[number];

/** metrics a published value can refer to: best over epochs, or the last epoch's */
const REFERENCE_KEYS = ['bestTrainAcc', 'bestTestAcc', 'bestTestLoss', 'finalTrainAcc', 'finalTestAcc'] as const;
export type ReferenceKey = (typeof REFERENCE_KEYS)[number];

export interface SweepInfo {
  /** the spec's own name and title (the family of runs) */
  name: string;
  title: string;
  /** axis label -> value of this run, in declaration order */
  axes: [string, number | string | boolean][];
}

export interface Tolerance { abs: number; rel: number }

/** the learning-rate schedule a spec declares (train/schedule.ts computes it) */
export interface OneCycleConfig {
  type: 'one-cycle';
  maxLr: number;
  pctStart: number;
  divFactor: number;
  finalDivFactor: number;
  anneal: 'cos' | 'linear';
  cycleMomentum: boolean;
  baseMomentum: number;
  maxMomentum: number;
}
interface ConstantConfig {
  type: 'constant';
}
export type ScheduleConfig = OneCycleConfig | ConstantConfig;


export interface ResolvedSpec {
  file: string;
  name: string;
  title: string;
  profile: Profile;
  seed: number;
  dataset: {
    source: 'mnist' | 'idx'; path: string | null; sha256: string | null; trainSize: number | null; testSize: number | null;
    normalize: { mean: number; std: number };
  };
  /** groups: GroupNorm groups of the norm layers in order (1 for batch/layer); layers: resolved */
  model: { norm: NormType; groups: number[]; dropout: number; layers: Layer[] };
  /** where the network came from, for error pointers: `list` is the pointer of the stated list
   * ('' = the default network); groups/firstBlockGroups the pointers of those model fields;
   * `statedGroups` the layer indices that state their own groups. `isDefault`: the default list. */
  network: { list: string; groups: string; firstBlockGroups: string; statedGroups: number[]; firstNormIndex: number; isDefault: boolean };
  training: {
    epochs: number; batchSize: number; evalBatchSize: number; lr: number; momentum: number;
    weightDecay: number; l1: number; schedule: ScheduleConfig;
  };
  augmentation: {
    enabled: boolean; rotation: number; rotationFill: number; affineDegrees: number; translate: number;
    scale: [number, number]; shear: number; brightness: number; contrast: number;
  };
  tolerances: { abs: number; rel: number; metrics: Record<string, Partial<Tolerance>>; backends: Record<string, Partial<Tolerance> & { metrics?: Record<string, Partial<Tolerance>> }> };
  reference: Partial<Record<ReferenceKey, number>>;
  /** runs of one experiment under several seeds share a group (the name without .seed_N) */
  group: string;
  /** set for runs expanded from a matrix */
  sweep: SweepInfo | null;
  /** names that select a set of specs with --only (e.g. "table": the study's seven rows); never fingerprinted */
  tags: string[];
}
