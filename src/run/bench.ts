export async function runBench(_values: Record<string, unknown>): Promise<number> {
  throw new Error('bench: not built yet');
}
