/** The best metrics over a run's epochs (part of the payload). Pure. */
import type { ResultPayload } from './types.js';

export function bestOf(epochs: ResultPayload['epochs']): ResultPayload['best'] {
  return {
    bestTrainAcc: Math.max(...epochs.map((e) => e.trainAcc)),
    bestTestAcc: Math.max(...epochs.map((e) => e.testAcc)),
    bestTestLoss: Math.min(...epochs.map((e) => e.testLoss)),
  };
}
