/** What a stored payload (result.json, a golden), run record or facts file must be: schema plus
 * the checks a schema cannot state. Pure: parsed value in, Problems out. */
import { problem, type Problem } from '../errors.js';
import { schemaProblems } from '../jsonSchema.js';
import type { ResultPayload } from './types.js';
import payloadSchema from './payload.schema.json' with { type: 'json' };
import runSchema from './run.schema.json' with { type: 'json' };
import factsSchema from './facts.schema.json' with { type: 'json' };

export { payloadSchema };

/** Metrics that are defined as the best over the epochs (table.ts bestOf). */
const BEST: [keyof ResultPayload['best'], 'trainAcc' | 'testAcc' | 'testLoss', 'max' | 'min'][] = [
  ['bestTrainAcc', 'trainAcc', 'max'], ['bestTestAcc', 'testAcc', 'max'], ['bestTestLoss', 'testLoss', 'min'],
];

/** Relations between fields of a schema-valid payload. */
export function payloadConsistency(file: string, p: ResultPayload, fix: string): Problem[] {
  const out: Problem[] = [];
  p.epochs.forEach((e, i) => {
    if (e.epoch !== i + 1) out.push(problem(file, `/epochs/${i}/epoch`, `is ${e.epoch}, expected ${i + 1} (epochs are listed in order from 1)`, fix));
  });
  for (const [key, metric, how] of BEST) {
    const values = p.epochs.map((e) => e[metric]);
    const want = how === 'max' ? Math.max(...values) : Math.min(...values);
    if (p.best[key] !== want)
      out.push(problem(file, `/best/${key}`, `is ${p.best[key]}, but the ${how} of /epochs/*/${metric} is ${want} (${key} is defined as that ${how})`, fix));
  }
  const m = p.misclassified;
  const last = p.epochs[p.epochs.length - 1];
  if (m.epoch !== p.epochs.length) out.push(problem(file, '/misclassified/epoch', `is ${m.epoch}, expected the last epoch ${p.epochs.length}`, fix));
  if (m.count > p.testSize) out.push(problem(file, '/misclassified/count', `is ${m.count}, more than the ${p.testSize} test images`, fix));
  else if (Math.abs((100 * (p.testSize - m.count)) / p.testSize - last.testAcc) > 1e-5)
    out.push(problem(file, '/misclassified/count', `${m.count} wrong of ${p.testSize} does not match the last epoch's testAcc ${last.testAcc}`, fix));
  if (m.samples.length > m.count) out.push(problem(file, '/misclassified/samples', `lists ${m.samples.length} images, more than count ${m.count}`, fix));
  m.samples.forEach((s, i) => {
    // index: the image's index in the dataset's test set (a subset keeps the original indices)
    if (i > 0 && s.index <= m.samples[i - 1].index) out.push(problem(file, `/misclassified/samples/${i}/index`, `${s.index} is not after the previous sample's ${m.samples[i - 1].index} (samples are in test-set order)`, fix));
    if (s.actual === s.predicted) out.push(problem(file, `/misclassified/samples/${i}/predicted`, `equals actual (${s.actual}): not a misclassified image`, fix));
  });
  return out;
}

/** Every problem of a parsed payload; empty when it is a well-formed, self-consistent payload. */
export function validatePayload(file: string, doc: unknown, fix: string): Problem[] {
  const probs = schemaProblems(payloadSchema, file, doc, fix);
  return probs.length ? probs : payloadConsistency(file, doc as ResultPayload, fix);
}

/** The payload is the one its place says: name, profile (and for goldens the backend) from the path. */
export function payloadPlace(file: string, p: ResultPayload, expected: { name: string; profile?: string; backend?: string }, fix: string): Problem[] {
  const out: Problem[] = [];
  if (p.name !== expected.name) out.push(problem(file, '/name', `holds '${p.name}', but the file is for '${expected.name}'`, fix));
  if (expected.profile !== undefined && p.profile !== expected.profile) out.push(problem(file, '/profile', `holds profile '${p.profile}', but the file is for '${expected.profile}'`, fix));
  if (expected.backend !== undefined && p.backend !== expected.backend) out.push(problem(file, '/backend', `holds backend '${p.backend}', but the file is for '${expected.backend}'`, fix));
  return out;
}

export function validateRunRecord(file: string, doc: unknown, fix: string): Problem[] {
  return schemaProblems(runSchema, file, doc, fix, [payloadSchema]);
}

export function validateFacts(file: string, doc: unknown, fix: string): Problem[] {
  return schemaProblems(factsSchema, file, doc, fix);
}
