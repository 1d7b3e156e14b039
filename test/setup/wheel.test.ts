import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WHEEL_HEADERS, cudaLibMembers, parseCudaRequirements, parseWheelName, pipDownloadArgs, planExtraction, platformProblem, tfjsPackage, wheelProject } from '../../src/setup/wheel.js';

test('wheel selection: tensorflow-cpu for the CPU, the plain tensorflow wheel (+ CUDA wheels) for --gpu', () => {
  assert.is(wheelProject('cpu'), 'tensorflow-cpu');
  assert.is(wheelProject('gpu'), 'tensorflow');
  assert.is(tfjsPackage('cpu'), '@tensorflow/tfjs-node');
  assert.is(tfjsPackage('gpu'), '@tensorflow/tfjs-node-gpu');
  assert.equal(pipDownloadArgs('gpu', '2.21.0', '/tmp/w'), ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', '/tmp/w', 'tensorflow==2.21.0']);
});

test('parseWheelName reads PEP 427 names; platformProblem accepts only this OS and architecture', () => {
  const w = parseWheelName('/x/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl')!;
  assert.equal(w, { project: 'tensorflow-cpu', version: '2.21.0', python: 'cp311', abi: 'cp311', platforms: ['manylinux_2_27_x86_64'] });
  assert.is(platformProblem(w, { platform: 'linux', arch: 'x64' }), null);
  assert.match(platformProblem(w, { platform: 'linux', arch: 'arm64' })!, 'this machine is linux aarch64');
  assert.match(platformProblem(w, { platform: 'darwin', arch: 'arm64' })!, 'Linux only (this is darwin)');
  const arm = parseWheelName('tensorflow-2.21.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl')!;
  assert.equal(arm.platforms, ['manylinux_2_17_aarch64', 'manylinux2014_aarch64']);
  assert.is(platformProblem(arm, { platform: 'linux', arch: 'arm64' }), null);
  const mac = parseWheelName('tensorflow-2.21.0-cp311-cp311-macosx_12_0_arm64.whl')!;
  assert.match(platformProblem(mac, { platform: 'linux', arch: 'x64' })!, 'wheel is for macosx_12_0_arm64');
  assert.is(parseWheelName('tensorflow-2.21.0.tar.gz'), null);
});

test('planExtraction: the two libraries into lib/, the 14 headers into include/, everything missing named', () => {
  const members = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2', 'tensorflow/python/x.so',
    ...WHEEL_HEADERS.map((h) => `tensorflow/include/${h}`), 'tensorflow/include/tensorflow/core/framework/op.h'];
  const plan = planExtraction(members);
  assert.is(plan.missing.length, 0);
  assert.is(plan.files.length, 16);
  assert.equal(plan.files[0], { member: 'tensorflow/libtensorflow_cc.so.2', to: 'lib/libtensorflow_cc.so.2' });
  assert.ok(plan.files.some((f) => f.to === 'include/xla/tsl/c/tsl_status.h'));
  // a wheel without the C API (e.g. tensorflow-intel's shim or a Python-only build)
  const none = planExtraction(['tensorflow/__init__.py']);
  assert.is(none.files.length, 0);
  assert.is(none.missing.length, 16);
  assert.is(none.missing[0], 'tensorflow/libtensorflow_cc.so.2');
});

test('parseCudaRequirements reads the and-cuda extra from METADATA; cudaLibMembers keeps nvidia/*/lib/*.so*', () => {
  const meta = [
    'Name: tensorflow', 'Version: 2.21.0', 'Requires-Dist: numpy>=1.26.0', 'Provides-Extra: and-cuda',
    'Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"',
    'Requires-Dist: nvidia-cudnn-cu12 <10.0,>=9.3.0.75 ; extra == \'and-cuda\'',
    'Requires-Dist: tensorflow-io-gcs-filesystem>=0.23.1; (sys_platform != "win32") and extra == "gcs-filesystem"',
  ].join('\n');
  assert.equal(parseCudaRequirements(meta), ['nvidia-cublas-cu12<13.0,>=12.5.3.2', 'nvidia-cudnn-cu12<10.0,>=9.3.0.75']);
  assert.equal(cudaLibMembers(['nvidia/cublas/lib/libcublas.so.12', 'nvidia/cublas/lib/libcublasLt.so.12', 'nvidia/cublas/include/cublas.h',
    'nvidia/__init__.py', 'nvidia/cudnn/lib/libcudnn.so.9', 'nvidia_cudnn_cu12-9.3.0.75.dist-info/RECORD']),
  ['nvidia/cublas/lib/libcublas.so.12', 'nvidia/cublas/lib/libcublasLt.so.12', 'nvidia/cudnn/lib/libcudnn.so.9']);
});

test.run();
