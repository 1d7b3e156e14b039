// One SGD step for one parameter tensor, fused: the same f32 operations, in the same order and
// with the same rounding, as the core-ops chain in src/train/optimizer.ts on tfjs-backend-wasm:
//   d = g (+ sign(p) * l1) (+ p * wd);  b = first ? d : buf * momentum + d;  p' = p - b * lr
// sign() is PyTorch's sgn(), the gradient of |p|: +-1 for every non-zero p (denormals too), 0 for
// +-0 and NaN. (tfjs-backend-wasm's own sign() is 0 for |p| < 2^-23; the study's L1 term is not.)

@inline function torchSign(v: f32): f32 {
  if (v > 0) return 1;
  if (v < 0) return -1;
  return 0;
}

export function sgdUpdate(p: usize, g: usize, buf: usize, pOut: usize, bufOut: usize, size: i32,
                          lr: f32, momentum: f32, wd: f32, l1: f32,
                          first: bool, useL1: bool, useWd: bool): void {
  for (let i = 0; i < size; i++) {
    const off = <usize>i << 2;
    const w = load<f32>(p + off);
    let d = load<f32>(g + off);
    if (useL1) d = d + torchSign(w) * l1;
    if (useWd) d = d + w * wd;
    const b = first ? d : load<f32>(buf + off) * momentum + d;
    store<f32>(bufOut + off, b);
    store<f32>(pOut + off, w - b * lr);
  }
}
