/**
 * Zip archives written byte by byte for tests (stored entries, no compression), with every field the package
 * check reads open to lies: declared sizes, flags, methods, names. A real zipapp comes from python3 -m zipapp
 * (submissions/package/check-package.test.ts).
 */
import { crc32 } from 'node:zlib';

export interface ZipEntrySpec {
  readonly name: string;
  readonly data?: Uint8Array | string;
  /** Declared sizes (default: the data's). */
  readonly packed?: number;
  readonly unpacked?: number;
  readonly flags?: number;
  readonly method?: number;
}

const le16 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff];
const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/** A zip of `entries`, after `prefix` (a zipapp's "#!" line) when given. */
export function zipBytes(entries: readonly ZipEntrySpec[], prefix = ''): Uint8Array {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(data);
    const packed = e.packed ?? data.length;
    const unpacked = e.unpacked ?? data.length;
    const common = [
      ...le16(20),
      ...le16(e.flags ?? 0),
      ...le16(e.method ?? 0),
      ...le16(0),
      ...le16(0x21),
      ...le32(crc),
      ...le32(packed),
      ...le32(unpacked),
      ...le16(name.length),
      ...le16(0),
    ];
    const header = Buffer.concat([Buffer.from([...le32(0x04034b50), ...common]), name, data]);
    central.push(
      Buffer.concat([Buffer.from([...le32(0x02014b50), ...le16(20), ...common, ...le16(0), ...le16(0), ...le16(0), ...le32(0), ...le32(offset)]), name]),
    );
    local.push(header);
    offset += header.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.from([
    ...le32(0x06054b50),
    ...le16(0),
    ...le16(0),
    ...le16(entries.length),
    ...le16(entries.length),
    ...le32(cd.length),
    ...le32(offset),
    ...le16(0),
  ]);
  return Buffer.concat([Buffer.from(prefix, 'utf8'), ...local, cd, end]);
}
