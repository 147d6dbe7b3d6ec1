import { z } from 'zod';
import { packInvalid } from './input-pack-errors.js';
import type { InputPackHeader } from './input-pack-format.js';
import { describeIssues } from '../../schema-issues.js';

/**
 * Parses and checks an input pack's header against the file it came from. Strict: an unknown key (a
 * `label`, say) is refused, so a reader never accepts a pack that carries more than inputs. Every image
 * must lie inside the pixel data, right after the previous one, and the last must end where the file does.
 */

const count = z.number().int().nonnegative();
const imageSchema = z.strictObject({
  id: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  offset: count,
  length: z.number().int().positive(),
});
const headerSchema = z.strictObject({
  track: z.string(),
  split: z.string(),
  count,
  layout: z.literal('HWC'),
  dtype: z.literal('uint8'),
  images: z.array(imageSchema),
});

/** At most this many schema problems are named in the message (a hostile header may have millions). */
const MAX_ISSUES = 3;

/** `json` is the header's text; `dataBytes` the size of the pixel data (file size - preamble - header). */
export function parseHeader(file: string, json: string, dataBytes: number): InputPackHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw packInvalid(file, `the header is not valid JSON (${(e as Error).message})`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    throw packInvalid(file, `bad header: ${describeIssues(parsed.error.issues, { max: MAX_ISSUES })}`);
  }
  const header = parsed.data;
  if (header.count !== header.images.length) {
    throw packInvalid(file, `the header says ${header.count} images but lists ${header.images.length}`);
  }
  checkLayout(file, header, dataBytes);
  return header;
}

function checkLayout(file: string, header: InputPackHeader, dataBytes: number): void {
  const seen = new Set<string>();
  let end = 0;
  header.images.forEach((img, i) => {
    const name = `image ${i} (${JSON.stringify(img.id)})`;
    if (seen.has(img.id)) throw packInvalid(file, `${name}: the id appears twice`);
    seen.add(img.id);
    if (img.length !== img.width * img.height * img.channels) {
      throw packInvalid(file, `${name}: length ${img.length} is not ${img.width} x ${img.height} x ${img.channels}`);
    }
    if (img.offset + img.length > dataBytes) {
      throw packInvalid(
        file,
        `${name} claims pixel bytes ${img.offset}..${img.offset + img.length - 1}, past the end of the pixel data (${dataBytes} bytes): truncated?`,
        { index: i },
      );
    }
    if (img.offset !== end) {
      const what = img.offset < end ? 'overlaps the previous image' : 'leaves a gap after the previous image';
      throw packInvalid(file, `${name} starts at pixel byte ${img.offset}, expected ${end}: it ${what}`, { index: i });
    }
    end += img.length;
  });
  if (end !== dataBytes) {
    throw packInvalid(file, `${dataBytes - end} bytes after the last image: the header does not describe the whole file`);
  }
}
