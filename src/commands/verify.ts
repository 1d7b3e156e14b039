/** normreg verify: compare stored results with goldens (no training); check the generated doc blocks are current. */
import { verifyAll } from '../verify/verify.js';
import { checkInputs } from '../verify/inputs.js';
import { common, updateMode, type Values } from './args.js';
import { lockWorkspace } from './session.js';
import { isReference } from '../workspace/paths.js';
import { printVerify } from '../pipeline/print.js';
import { checkDocs, checkFigures } from '../pipeline/verifyReport.js';

export async function cmdVerify(values: Values): Promise<number> {
  const c = common(values);
  const mode = values.update === undefined ? 'none' : updateMode(values);
  // comparing only reads; writing goldens (--update) takes the workspace lock like reproduce
  const release = mode === 'none' ? () => {} : await lockWorkspace(c, values, 'verify');
  try {
    await checkInputs(c.ws, c.specs, c.all, { goldens: mode !== 'all' });
    const reference = isReference(c.ws);
    const staleDocs = c.filtered || !reference ? undefined : checkDocs(c);
    const outcome = verifyAll(c.ws, c.specs, mode, { checkObsolete: !c.filtered, staleDocs, checkCrossFile: !c.filtered && reference });
    printVerify(outcome, process.stdout);
    const figFailed = await checkFigures(c, mode, !c.filtered && reference);
    return outcome.ok && figFailed === 0 ? 0 : 1;
  } finally {
    release();
  }
}
