/**
 * The input pack (docs/protocol.md, "Input packs"): one split's decoded inputs in one file, without labels,
 * for device agents to download, cache by sha256 and read at random.
 *
 *   bytes 0..7    magic, ASCII "LPCVINPK"
 *   bytes 8..11   format version, uint32 little-endian (1)
 *   bytes 12..15  header length H in bytes, uint32 little-endian
 *   bytes 16..    the header: H bytes of UTF-8 JSON (InputPackHeader)
 *   then          the pixel data: each image's HWC uint8 bytes, image after image, in header order
 *
 * An image's `offset` counts from the start of the pixel data (byte 16 + H), so the header does not depend
 * on its own length. Images are contiguous: the first at offset 0, each next one where the previous ends,
 * and the file ends where the last one ends. Nothing in the file depends on the time or the machine:
 * the same inputs give the same bytes.
 */

export const INPUT_PACK_MAGIC = Buffer.from('LPCVINPK', 'ascii');
export const INPUT_PACK_VERSION = 1;
/** Magic, version and header length. */
export const INPUT_PACK_PREAMBLE_BYTES = 16;
/** The largest header a reader accepts (about half a million images): a hostile length allocates no more. */
export const INPUT_PACK_MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Where one image's pixels are and how to read them. No label of any kind. */
export interface InputPackImage {
  id: string;
  width: number;
  height: number;
  channels: 1 | 3;
  /** From the start of the pixel data. */
  offset: number;
  /** width * height * channels. */
  length: number;
}

export interface InputPackHeader {
  track: string;
  split: string;
  count: number;
  layout: 'HWC';
  dtype: 'uint8';
  images: InputPackImage[];
}

/** The 16-byte preamble for a header of `headerBytes` bytes. */
export function encodePreamble(headerBytes: number, version = INPUT_PACK_VERSION): Buffer {
  const out = Buffer.alloc(INPUT_PACK_PREAMBLE_BYTES);
  INPUT_PACK_MAGIC.copy(out, 0);
  out.writeUInt32LE(version, 8);
  out.writeUInt32LE(headerBytes, 12);
  return out;
}
