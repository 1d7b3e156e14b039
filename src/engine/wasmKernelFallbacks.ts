// Plain implementations for configurations the SIMD kernels do not cover and for which the
// wasm backend has no correct stock kernel. Ports of tfjs-backend-cpu's loops (same results,
// same summation order), reading and writing arrays that the caller maps onto the heap.
import type * as tf from '@tensorflow/tfjs';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Values = Float32Array | Int32Array | Uint8Array;

/** dW[wR, wC, d1, d2] = sum over b, yR, yC of x * dy (any stride, padding, data format). */
export function runConv2DBackpropFilterPlain(x: Values, dy: Values, info: Conv2DInfo, dw: Float32Array): void {
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const last = info.dataFormat === 'channelsLast';
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xAt = last
    ? (b: number, r: number, c: number, d: number) => x[((b * inHeight + r) * inWidth + c) * inChannels + d]
    : (b: number, r: number, c: number, d: number) => x[((b * inChannels + d) * inHeight + r) * inWidth + c];
  const dyAt = last
    ? (b: number, r: number, c: number, d: number) => dy[((b * outHeight + r) * outWidth + c) * outChannels + d]
    : (b: number, r: number, c: number, d: number) => dy[((b * outChannels + d) * outHeight + r) * outWidth + c];
  for (let wR = 0; wR < fh; ++wR) {
    const yRMin = Math.max(0, Math.ceil((top - wR) / sh));
    const yRMax = Math.min(outHeight, (inHeight + top - wR) / sh);
    for (let wC = 0; wC < fw; ++wC) {
      const yCMin = Math.max(0, Math.ceil((left - wC) / sw));
      const yCMax = Math.min(outWidth, (inWidth + left - wC) / sw);
      for (let d1 = 0; d1 < inChannels; ++d1) {
        for (let d2 = 0; d2 < outChannels; ++d2) {
          let dot = 0;
          for (let b = 0; b < batchSize; ++b) {
            for (let yR = yRMin; yR < yRMax; ++yR) {
              const xR = wR + yR * sh - top;
              for (let yC = yCMin; yC < yCMax; ++yC) {
                dot += xAt(b, xR, wC + yC * sw - left, d1) * dyAt(b, yR, yC, d2);
              }
            }
          }
          dw[((wR * fw + wC) * inChannels + d1) * outChannels + d2] = dot;
        }
      }
    }
  }
}

/** Window-local index of each window's first maximum (strict '>' from -Infinity), -1 if none. */
function runMaxPoolPositions(x: Values, info: Conv2DInfo): Int32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight: efh, effectiveFilterWidth: efw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const positions = new Int32Array(batchSize * outHeight * outWidth * inChannels);
  for (let b = 0; b < batchSize; ++b) {
    for (let d = 0; d < inChannels; ++d) {
      for (let yR = 0; yR < outHeight; ++yR) {
        const xRCorner = yR * strideHeight - top;
        const xRMin = Math.max(0, xRCorner);
        const xRMax = Math.min(inHeight, efh + xRCorner);
        for (let yC = 0; yC < outWidth; ++yC) {
          const xCCorner = yC * strideWidth - left;
          const xCMin = Math.max(0, xCCorner);
          const xCMax = Math.min(inWidth, efw + xCCorner);
          let maxValue = Number.NEGATIVE_INFINITY;
          let maxPosition = -1;
          for (let xR = xRMin; xR < xRMax; ++xR) {
            for (let xC = xCMin; xC < xCMax; ++xC) {
              const pixel = x[((b * inHeight + xR) * inWidth + xC) * inChannels + d];
              if (pixel > maxValue) {
                maxValue = pixel;
                maxPosition = (xR - xRCorner) * efw + (xC - xCCorner);
              }
            }
          }
          positions[((b * outHeight + yR) * outWidth + yC) * inChannels + d] = maxPosition;
        }
      }
    }
  }
  return positions;
}

/** Max-pool gradient for any window, stride and padding (NHWC): each dx sums the dy of the windows whose first maximum it is. */
export function runMaxPoolGradPlain(x: Values, dy: Values, info: Conv2DInfo, dx: Float32Array): void {
  const positions = runMaxPoolPositions(x, info);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight: efh, effectiveFilterWidth: efw } = info;
  const padTop = efh - 1 - info.padInfo.top;
  const padLeft = efw - 1 - info.padInfo.left;
  for (let b = 0; b < batchSize; ++b) {
    for (let d = 0; d < inChannels; ++d) {
      for (let dxR = 0; dxR < inHeight; ++dxR) {
        for (let dxC = 0; dxC < inWidth; ++dxC) {
          let dot = 0;
          for (let wR = 0; wR < efh; ++wR) {
            const dyR = (dxR - padTop + wR) / strideHeight;
            if (dyR < 0 || dyR >= outHeight || Math.floor(dyR) !== dyR) continue;
            for (let wC = 0; wC < efw; ++wC) {
              const dyC = (dxC - padLeft + wC) / strideWidth;
              if (dyC < 0 || dyC >= outWidth || Math.floor(dyC) !== dyC) continue;
              const at = ((b * outHeight + dyR) * outWidth + dyC) * inChannels + d;
              if (efh * efw - 1 - positions[at] !== wR * efw + wC) continue;
              dot += dy[at];
            }
          }
          dx[((b * inHeight + dxR) * inWidth + dxC) * inChannels + d] = dot;
        }
      }
    }
  }
}
