/** Golden update policy, decided in one place. A backend's own golden takes precedence; a run on
 * another backend than the reference (wasm) without one is compared with the reference golden.
 *
 *   mode  | own golden exists      | no own golden, reference golden exists | neither
 *   none  | compare                | compare with the reference (cross)     | fail: missing golden
 *   new   | compare                | write                                  | write
 *   all   | write (when different) | write                                  | write
 *
 * Default mode: 'none' when CI=true (CI never writes goldens) and for every backend but the
 * reference (a non-reference golden is written only when asked), else 'new'.
 */
export const UPDATE_MODES = ['none', 'new', 'all'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];
export type GoldenAction = 'compare' | 'compare-reference' | 'write' | 'missing';

export function decideGoldenAction(mode: UpdateMode, goldenExists: boolean, referenceExists = false): GoldenAction {
  if (mode === 'all') return 'write';
  if (goldenExists) return 'compare';
  if (mode === 'new') return 'write';
  return referenceExists ? 'compare-reference' : 'missing';
}

export function defaultUpdateMode(env: NodeJS.ProcessEnv, referenceBackend = true): UpdateMode {
  return isCi(env) || !referenceBackend ? 'none' : 'new';
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}
