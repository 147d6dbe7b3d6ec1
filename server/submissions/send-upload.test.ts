import { describe, expect, it } from 'vitest';
import { attachmentDisposition, safeFileName } from './send-upload.js';

describe('the name a download is saved under', () => {
  it('keeps a plain name, and replaces what a header or a file system would misread', () => {
    expect(safeFileName('resnet_s-v2.onnx', 'x.onnx')).toBe('resnet_s-v2.onnx');
    expect(safeFileName('a";b\r\n.zip', 'x.zip')).toBe('a__b__.zip');
    expect(safeFileName('..hidden.onnx', 'x.onnx')).toBe('hidden.onnx');
    expect(safeFileName('模型', 'abc.onnx')).toBe('abc.onnx');
    expect(safeFileName(null, 'abc.onnx')).toBe('abc.onnx');
  });

  it('adds the original as filename* only when it differs, without controls or path separators', () => {
    expect(attachmentDisposition('m.onnx', 'x.onnx')).toBe('attachment; filename="m.onnx"');
    expect(attachmentDisposition('模型.onnx', 'x.onnx')).toBe(`attachment; filename="__.onnx"; filename*=UTF-8''%E6%A8%A1%E5%9E%8B.onnx`);
    expect(attachmentDisposition("it's\u0007/(1).zip", 'x.zip')).toBe(`attachment; filename="it_s___1_.zip"; filename*=UTF-8''it%27s%281%29.zip`);
  });
});
