/** Whether the webgpu tests can run here: a software adapter (SwiftShader) is what CI installs.
 * Without one the tests are skipped locally and FAIL under CI=true (as the tensorflow tests). */
import { probeWebgpu } from '../../src/engine/webgpuProbe.js';

const probe = await probeWebgpu('software');
export const webgpuReady = probe.ok && probe.adapters.some((a) => a.software);
export const webgpuMissing = probe.ok ? `no software WebGPU adapter (adapters: ${probe.adapters.length})` : probe.error;
export const WEBGPU_FIX = 'apt-get install chromium libvulkan1 (SwiftShader\'s Vulkan driver and the Vulkan loader), then npm ci';
