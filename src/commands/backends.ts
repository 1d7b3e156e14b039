/** normreg backends [--json]: every backend on this machine, available or not and why. */
import { gatherBackends, renderBackends } from '../engine/inventory.js';
import type { Values } from './args.js';

export async function cmdBackends(values: Values): Promise<number> {
  const inv = await gatherBackends();
  process.stdout.write(values.json ? JSON.stringify(inv, null, 2) + '\n' : renderBackends(inv));
  return 0;
}
