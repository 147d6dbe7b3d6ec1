/**
 * For the stand-in qai_hub only (devices/aihub/testing/qai_hub): runs an ONNX model with the project's
 * onnxruntime-node on raw input samples and writes every output's raw values back, so that the stand-in's
 * inference job returns what the model really computes.
 *
 *   node --import tsx run-onnx-outputs.ts MODEL INPUTS.bin DTYPE SHAPE_JSON COUNT OUT_DIR
 *
 * Writes OUT_DIR/<i>.bin per output (samples one after another, little-endian) and OUT_DIR/outputs.json:
 * [{name, type, dims: [per sample]}].
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';

const [model, inputsFile, dtype, shapeJson, countText, outDir] = process.argv.slice(2);
const shape = JSON.parse(shapeJson!) as number[];
const count = Number(countText);
const session = await ort.InferenceSession.create(model!, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const raw = await readFile(inputsFile!);
const per = shape.reduce((a, b) => a * b, 1);
const width = dtype === 'uint8' ? 1 : 4;
const chunks: Buffer[][] = session.outputNames.map(() => []);
const meta = session.outputNames.map((name) => ({ name, type: '', dims: [] as number[][] }));
for (let i = 0; i < count; i++) {
  const bytes = raw.buffer.slice(raw.byteOffset + i * per * width, raw.byteOffset + (i + 1) * per * width);
  const data = dtype === 'uint8' ? new Uint8Array(bytes) : new Float32Array(bytes);
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor(dtype === 'uint8' ? 'uint8' : 'float32', data, shape) });
  session.outputNames.forEach((name, k) => {
    const t = out[name]!;
    const d = t.data as Float32Array | BigInt64Array | Int32Array | Uint8Array;
    chunks[k]!.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    meta[k]!.type = t.type;
    meta[k]!.dims.push([...t.dims]);
  });
}
await Promise.all(chunks.map((c, k) => writeFile(path.join(outDir!, `${k}.bin`), Buffer.concat(c))));
await writeFile(path.join(outDir!, 'outputs.json'), JSON.stringify(meta));
