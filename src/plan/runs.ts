/** The plan of a list of specs in a workspace: what each run's bytes depend on (the run
 * environment) and the decision taken on what the workspace holds for it. */
import type { ResolvedSpec } from '../spec/types.js';
import type { RunComponents } from '../result/types.js';
import { checkpointSeen, readCheckpoint, readStored } from '../workspace/runFiles.js';
import type { Workspace } from '../workspace/paths.js';
import { decide, type Decision } from './plan.js';
import { runComponents } from './fingerprint.js';

export interface RunEnv {
  datasetSha256: (spec: ResolvedSpec) => string;
  backend: string;
  versions: Record<string, string>;
  code: string;
}

export interface PlannedRun {
  spec: ResolvedSpec;
  components: RunComponents;
  decision: Decision;
}

/** The plan for a list of specs in this workspace. */
export function planRuns(ws: Workspace, specs: ResolvedSpec[], env: RunEnv, force: boolean): PlannedRun[] {
  return specs.map((spec) => {
    const components = runComponents(spec, { datasetSha256: env.datasetSha256(spec), backend: env.backend, versions: env.versions, code: env.code });
    const decision = decide(spec.name, components, spec.training.epochs, readStored(ws, spec.profile, spec.name), checkpointSeen(readCheckpoint(ws, spec.profile, spec.name)), force);
    return { spec, components, decision };
  });
}
