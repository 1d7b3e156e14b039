/** The runs a command works on: the workspace, the profile, the selected specs and all of them. */
import type { Profile, ResolvedSpec } from '../spec/types.js';
import type { Workspace } from '../workspace/paths.js';

export interface Common {
  ws: Workspace;
  profile: Profile;
  specs: ResolvedSpec[];
  /** every spec of the profile, before --only: what claims and figures may name */
  all: ResolvedSpec[];
  filtered: boolean;
}
