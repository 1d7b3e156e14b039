/** Child of webgpuProbe: start Dawn for NORMREG_WEBGPU_ADAPTER, print the adapters as one JSON line. */
import { parseAdapterRequest } from './adapter.js';
import { packageVersion } from '../util/packages.js';
import { probeAdapters } from './webgpu.js';

const request = parseAdapterRequest(process.env);
try {
  const adapters = await probeAdapters(request);
  const versions = { webgpu: packageVersion('webgpu') ?? 'unknown', 'tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu') ?? 'unknown' };
  process.stdout.write(JSON.stringify({ ok: true, request, adapters, versions }) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, request, error: String((e as Error).message).split('\n')[0] }) + '\n');
}
process.exit(0); // Dawn's instance would keep the event loop alive
