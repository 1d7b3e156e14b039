/** normreg verify: compare stored results with goldens (no training); check README is current. */
import { TABLE_SECTION } from '../report/report.js';
import { verifyAll } from '../verify/verify.js';
import { checkInputs } from '../verify/inputs.js';
import { common, updateMode, type Values } from './args.js';
import { lockWorkspace } from './session.js';
import { isReference } from '../result/files.js';
import { printVerify } from './print.js';
import { checkFigures, tableBody } from './verifyFlow.js';

export async function cmdVerify(values: Values): Promise<number> {
  const c = common(values);
  const mode = values.update === undefined ? 'none' : updateMode(values);
  // comparing only reads; writing goldens (--update) takes the workspace lock like reproduce
  const release = mode === 'none' ? () => {} : await lockWorkspace(c, values, 'verify');
  try {
    await checkInputs(c.ws, c.specs, c.all, { goldens: mode !== 'all' });
    const reference = isReference(c.ws);
    const expected = c.filtered || !reference ? undefined : { section: TABLE_SECTION(c.profile), body: tableBody(c).body };
    const outcome = verifyAll(c.ws, c.specs, mode, { checkObsolete: !c.filtered, expectedReadmeSection: expected, checkCrossFile: !c.filtered && reference });
    printVerify(outcome, process.stdout);
    const figFailed = await checkFigures(c, mode, !c.filtered && reference);
    return outcome.ok && figFailed === 0 ? 0 : 1;
  } finally {
    release();
  }
}
