/**
 * What a stored submission is, as sniffed from its bytes: an ONNX graph, a TFLite flatbuffer, a zip (a solution
 * package), or a reference to a compile job on Qualcomm AI Hub (submissions/aihub/aihub-job-artifact.ts).
 */
export type ModelFormat = 'onnx' | 'tflite' | 'zip' | 'aihub-job';
