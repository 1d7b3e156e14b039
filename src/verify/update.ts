/** Golden update policy, decided in one place.
 *
 *   mode  | golden exists          | golden missing
 *   none  | compare                | fail: missing golden
 *   new   | compare                | write
 *   all   | write (when different) | write
 *
 * Default mode: 'none' when CI=true (CI never writes goldens), else 'new'.
 */
export const UPDATE_MODES = ['none', 'new', 'all'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];
export type GoldenAction = 'compare' | 'write' | 'missing';

export function decideGoldenAction(mode: UpdateMode, goldenExists: boolean): GoldenAction {
  if (mode === 'all') return 'write';
  if (goldenExists) return 'compare';
  return mode === 'new' ? 'write' : 'missing';
}

export function defaultUpdateMode(env: NodeJS.ProcessEnv): UpdateMode {
  return isCi(env) ? 'none' : 'new';
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}
