import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCpuInfo } from '../../src/host/cpu.js';

const X86 = `processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 23
model\t\t: 49
model name\t: AMD EPYC 7B12
flags\t\t: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 sha_ni

processor\t: 1
vendor_id\t: GenuineIntel
cpu family\t: 6
flags\t\t: avx512f
`;

const ARM = `processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm sve
CPU implementer\t: 0x41
CPU architecture: 8
CPU part\t: 0xd0c
`;

test('parseCpuInfo: first processor, vendor/family/model, the SIMD flags only (sorted)', () => {
  assert.equal(parseCpuInfo(X86, 2), { vendor: 'AuthenticAMD', family: 23, model: 49, modelName: 'AMD EPYC 7B12', logicalCpus: 2, simd: ['avx', 'avx2', 'f16c', 'fma', 'sse4_1', 'sse4_2'] });
});

test('parseCpuInfo: arm64 spelling, and an empty file', () => {
  const a = parseCpuInfo(ARM, 4);
  assert.is(a.vendor, '0x41');
  assert.is(a.family, 8);
  assert.is(a.model, 3340); // 0xd0c
  assert.equal(a.simd, ['asimd', 'asimdhp', 'asimdrdm', 'sve']);
  assert.equal(parseCpuInfo('', 1), { vendor: 'unknown', family: null, model: null, modelName: 'unknown', logicalCpus: 1, simd: [] });
});

test.run();
