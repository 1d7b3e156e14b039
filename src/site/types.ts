/** The report site's model: everything the page shows, as plain data (built by model.ts, drawn by html.ts). */
import type { EpochMetrics, Misclassified, ResultPayload, RunFacts } from '../result/types.js';
import type { ResolvedSpec } from '../spec/types.js';
import type { Claim } from '../report/claims.js';
import type { Difference } from '../verify/compare.js';

/** A file read tolerantly: what was in it, or why not. */
export type Loaded<T> = { state: 'ok'; value: T } | { state: 'missing' } | { state: 'invalid'; why: string };

export interface RunInput {
  spec: ResolvedSpec;
  result: Loaded<ResultPayload>;
  golden: Loaded<ResultPayload>;
  /** relative to the workspace root */
  goldenFile: string;
  resultFile: string;
  facts: Loaded<RunFacts>;
}

export interface SiteInputs {
  profile: string;
  /** what identifies the goldens shown: sha256 over the files of golden/<profile>/<backend>/ (null: none) */
  goldens: { dir: string; files: number; sha256: string } | null;
  /** false for the committed page: no local result, facts or figure difference read */
  withResults: boolean;
  runs: RunInput[];
  claims: Claim[];
  /** 28x28 test images by index, for the misclassified digits shown (null: dataset not loadable, with why) */
  digits: { images: Map<number, Uint8Array> } | { why: string };
  /** pixel-diff images the last `normreg verify` left in results/<profile>/figures/ (file -> PNG) */
  figureDiffs: { file: string; png: Buffer }[];
}

type RunState = 'ok' | 'no result' | 'invalid';

export interface SiteRun {
  name: string;
  group: string;
  title: string;
  seed: number;
  sweep: string | null;
  axes: [string, string][];
  state: RunState;
  /** where the shown payload came from */
  source: 'result' | 'golden' | null;
  /** one line per unreadable file ("results/...: invalid: <why>") */
  problems: string[];
  golden: { file: string; state: 'ok' | 'missing' | 'invalid'; specFingerprint?: string; weightsSha256?: string; datasetSha256?: string };
  /** verify's verdict on the local result; null without one */
  verify: null | { status: 'pass' | 'fail' | 'no golden'; differences: Difference[] };
  facts: null | { backend: string; threads: number; versions: Record<string, string>; cpu: string; node: string; platform: string; wallSeconds: number; imagesPerSec: number; gitCommit: string | null };
  best: ResultPayload['best'] | null;
  epochs: EpochMetrics[];
  misclassified: (Omit<Misclassified, 'samples'> & { samples: Misclassified['samples'] }) | null;
  /** pixel-diff images (data: URLs) of this run's figures from the last verify */
  figureDiffs: { file: string; src: string }[];
}
