/**
 * A walk over the top-level fields of a protobuf message, without decoding them. The ONNX reader uses it to
 * tell a truncated model (a top-level field runs past the end of the file) from a file that is not a
 * protobuf at all, which protobufjs's own errors ("index out of range") do not distinguish.
 */

export interface TopLevelField {
  fieldNumber: number;
  wireType: number;
  /** Offset of the field's tag. */
  start: number;
  /** Offset just past the field. */
  end: number;
  /** The value of a varint field (wire type 0); may lose precision above 2^53. */
  varint?: number;
}

export interface TopLevelScan {
  fields: TopLevelField[];
  /** Set when a field claims more bytes than the file has: where the file ends and where the field would. */
  overrun?: { fileEnd: number; declaredEnd: number };
  /** Set when the bytes break the wire format itself (field number 0, wire types 3, 4, 6, 7). */
  invalid?: string;
}

/** Reads a base-128 varint at `pos`; null when it runs past the end or is longer than 10 bytes. */
export function readVarint(bytes: Uint8Array, pos: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) return null;
    const b = bytes[pos + i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return { value, next: pos + i + 1 };
  }
  return null;
}

export function scanTopLevelFields(bytes: Uint8Array): TopLevelScan {
  const fields: TopLevelField[] = [];
  const len = bytes.length;
  let pos = 0;
  while (pos < len) {
    const start = pos;
    const tag = readVarint(bytes, pos);
    if (!tag) return { fields, overrun: { fileEnd: len, declaredEnd: len + 1 } };
    const fieldNumber = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (fieldNumber === 0) return { fields, invalid: `field number 0 at byte ${start}` };
    pos = tag.next;
    let varint: number | undefined;
    switch (wireType) {
      case 0: {
        const v = readVarint(bytes, pos);
        if (!v) return { fields, overrun: { fileEnd: len, declaredEnd: len + 1 } };
        varint = v.value;
        pos = v.next;
        break;
      }
      case 1:
        pos += 8;
        break;
      case 2: {
        const n = readVarint(bytes, pos);
        if (!n) return { fields, overrun: { fileEnd: len, declaredEnd: len + 1 } };
        pos = n.next + n.value;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        return { fields, invalid: `wire type ${wireType} at byte ${start}` };
    }
    if (pos > len) return { fields, overrun: { fileEnd: len, declaredEnd: pos } };
    fields.push({ fieldNumber, wireType, start, end: pos, ...(varint === undefined ? {} : { varint }) });
  }
  return { fields };
}
