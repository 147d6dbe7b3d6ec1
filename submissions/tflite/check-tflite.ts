/**
 * A TFLite model's structure as far as the server can check it without a TFLite runtime: the file is a
 * flatbuffer whose root table and its vtable lie inside the file (the `TFL3` identifier itself is what
 * sniffing found). Its graph is checked by the phone that runs it (benchmark_model), where a model that does
 * not fit the track fails as the submission's fault.
 */

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const i32 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);

/** Why the bytes are not a readable TFLite flatbuffer, or undefined when its root table is sound. */
export function tfliteProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length < 16) return `${bytes.length} bytes is too short for a TFLite model`;
  const root = i32(bytes, 0);
  if (root < 8 || root + 4 > bytes.length) return `its root table offset (${root}) points outside the file: truncated?`;
  const vtable = root - i32(bytes, root);
  if (vtable < 0 || vtable + 4 > bytes.length) return `its root table's vtable (at ${vtable}) lies outside the file: truncated?`;
  const vtableBytes = u16(bytes, vtable);
  const tableBytes = u16(bytes, vtable + 2);
  if (vtableBytes < 4 || vtable + vtableBytes > bytes.length || root + tableBytes > bytes.length) {
    return 'its root table runs past the end of the file: truncated?';
  }
  return undefined;
}
