/**
 * ONNX TensorProto.DataType numbers and the names the harness uses for them. The names follow
 * onnxruntime's JavaScript API ('float32', 'uint8', 'int64', ...), so a shape check can compare an ONNX
 * declaration with a runtime tensor directly.
 */
const DTYPE_NAMES: Record<number, string> = {
  0: 'undefined',
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  // Added after ONNX 1.12 (IR 9 and 10); listed so newer models get a readable name.
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

export const DTYPE_INT64 = 7;

/** The harness's name for an ONNX data type number; `dtype(N)` for numbers this table does not know. */
export function dtypeName(dataType: number): string {
  return DTYPE_NAMES[dataType] ?? `dtype(${dataType})`;
}

/** Bytes per element in raw_data for the types whose values the reader decodes; undefined for the rest. */
const RAW_ELEMENT_READERS: Record<number, { size: number; read: (view: DataView, offset: number) => number }> = {
  1: { size: 4, read: (v, o) => v.getFloat32(o, true) },
  2: { size: 1, read: (v, o) => v.getUint8(o) },
  3: { size: 1, read: (v, o) => v.getInt8(o) },
  4: { size: 2, read: (v, o) => v.getUint16(o, true) },
  5: { size: 2, read: (v, o) => v.getInt16(o, true) },
  6: { size: 4, read: (v, o) => v.getInt32(o, true) },
  7: { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  9: { size: 1, read: (v, o) => v.getUint8(o) },
  11: { size: 8, read: (v, o) => v.getFloat64(o, true) },
  12: { size: 4, read: (v, o) => v.getUint32(o, true) },
  13: { size: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
};

/**
 * Decodes little-endian raw_data into numbers for the types in RAW_ELEMENT_READERS; null for other types or
 * when the byte count does not match the element count.
 */
export function decodeRawValues(dataType: number, raw: Uint8Array, count: number): number[] | null {
  const reader = RAW_ELEMENT_READERS[dataType];
  if (!reader || raw.byteLength !== reader.size * count) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(reader.read(view, i * reader.size));
  return out;
}

/** Whether the typed repeated field for this data type holds plain numeric values (not float16 bit patterns). */
export function typedFieldFor(dataType: number): 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data' | null {
  switch (dataType) {
    case 1:
      return 'floatData';
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 9:
      return 'int32Data';
    case 7:
      return 'int64Data';
    case 11:
      return 'doubleData';
    case 12:
    case 13:
      return 'uint64Data';
    default:
      return null;
  }
}
