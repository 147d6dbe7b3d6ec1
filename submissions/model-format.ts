/** What a stored submission is, as sniffed from its bytes: an ONNX graph, a TFLite flatbuffer or a zip (a solution package). */
export type ModelFormat = 'onnx' | 'tflite' | 'zip';
