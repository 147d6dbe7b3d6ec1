import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { parseAihubSpec } from './aihub-spec.js';

describe('parseAihubSpec', () => {
  it('reads the name, the decoded AI Hub device name and the settings, with defaults', () => {
    expect(parseAihubSpec('aihub://s24?device=Samsung%20Galaxy%20S24%20(Family)&runtime=tflite')).toEqual({
      name: 's24',
      device: 'Samsung Galaxy S24 (Family)',
      runtime: 'tflite',
      iterations: 100,
      kind: 'aihub',
      python: 'python3',
      pollMs: 30_000,
    });
    const s = parseAihubSpec(
      'aihub://x8?device=Snapdragon%20X%20Elite%20CRD&runtime=qnn_context_binary&iterations=20&compute_unit=npu&kind=aihub-x&python=/opt/py/bin/python&poll_ms=5',
    );
    expect(s).toMatchObject({ runtime: 'qnn_context_binary', iterations: 20, computeUnit: 'npu', kind: 'aihub-x', python: '/opt/py/bin/python', pollMs: 5 });
  });

  it.each([
    ['aihub://s24?runtime=tflite', /device= is required/],
    ['aihub://s24?device=S24&runtime=tensorrt', /runtime="tensorrt": expected tflite, qnn_context_binary, onnx/],
    ['aihub://s24?device=S24&runtime=tflite&iterations=0', /iterations="0"/],
    ['aihub://s24?device=S24&runtime=tflite&iteration=5', /unknown key "iteration"/],
    ['aihub://s24?device=S24&runtime=tflite&compute_unit=dsp', /compute_unit="dsp"/],
    ['aihub://s24?device=S24&runtime=tflite&runtime=onnx', /runtime is given twice/],
    ['aihub://-bad?device=S24&runtime=tflite', /name "-bad"/],
    ['aihub://s24?device=S24&runtime=tflite&kind=AI_Hub', /kind="AI_Hub"/],
  ])('refuses %s, naming the key (LPCV_E_DEVICE_SPEC)', (spec, why) => {
    let e: unknown;
    try {
      parseAihubSpec(spec);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(LpcvError);
    expect((e as LpcvError).code).toBe('LPCV_E_DEVICE_SPEC');
    expect((e as LpcvError).message).toMatch(why);
  });
});
