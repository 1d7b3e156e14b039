// What the profiling scripts (conv-ceiling.mjs, fma-what-if.mjs) share: their repeats argument and
// the clock, from a chain of dependent f64 multiplies (4 cycles each on current x86 cores).

/** process.argv[2] as a whole number >= 1 (default 4); anything else exits 2 naming the fix. */
export function repeatsArg(script) {
  const repeats = Number(process.argv[2] ?? '4');
  if (!Number.isInteger(repeats) || repeats < 1) {
    console.error(`${script}: repeats must be a whole number of at least 1, got ${JSON.stringify(process.argv[2])}; for example: npm run ${script} -- 4`);
    process.exit(2);
  }
  return repeats;
}

function mulChain(n) { let x = 0.5; const y = 1.0000000001; for (let i = 0; i < n; i++) { x *= y; x *= y; x *= y; x *= y; } return x; }
mulChain(1e6);
/** The clock in GHz: 1e8 dependent multiplies at 4 cycles each. */
export function ghz() {
  const t0 = performance.now();
  mulChain(2.5e7);
  return 4 / ((performance.now() - t0) * 1e6 / 1e8);
}
