// Kernels that run on tfjs-backend-wasm's own heap: every argument is a byte offset into the
// imported memory, and the module keeps no data of its own (no data segments, no allocator).
export { conv2dPadded, flipSwapFilter } from './conv';
export { conv2dFilterGrad, conv2dFilterGradPart } from './convFilter';
export { maxPoolGrad2x2 } from './maxPool';
export {
  normForward, normBackward, normFwdSums, normFwdMean, normFwdSqSums, normFwdStats, normFwdSamples,
  normBwdSums, normBwdStats, normBwdSamples,
} from './norm';
export { sgdUpdate } from './sgd';
export { reluForward, dropoutApply, dropoutSplit, reluGrad, globalAvgPoolGrad } from './elementwise';
export { matMulTransA, matMulTransB } from './matmul';
