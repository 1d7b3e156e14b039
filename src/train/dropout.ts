/** Element-wise dropout masks from a seeded stream. Instead of one draw per element, draw the gap
 * to the next dropped element (geometric distribution): ~p*size draws instead of size. */

export function fillDropoutMask(mask: Float32Array, p: number, rand: () => number): void {
  const keep = Math.fround(1 / (1 - p));
  mask.fill(keep);
  if (p <= 0) return;
  const logq = Math.log1p(-p);
  let pos = 0;
  for (;;) {
    // number of kept elements before the next dropped one: floor(log(U) / log(1-p)), U in (0,1]
    const gap = Math.floor(Math.log(1 - rand()) / logq);
    pos += gap;
    if (pos >= mask.length) return;
    mask[pos] = 0;
    pos += 1;
  }
}
