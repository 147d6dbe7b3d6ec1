/**
 * Checks a solution package (a zip, or a Python zipapp `.pyz` that may start with a `#!` line) from its bytes
 * alone, without unpacking anything: the end-of-central-directory record and every central-directory entry.
 * What is refused, each as one problem naming the entry:
 * - a zip that cannot be read this way (no end record, a directory that runs outside the file, entries that
 *   do not add up), ZIP64, a multi-disk archive;
 * - more than MAX_PACKAGE_ENTRIES entries, more than MAX_PACKAGE_UNPACKED_BYTES unpacked in all, an entry
 *   that unpacks to more than MAX_COMPRESSION_RATIO times its packed size (a zip bomb);
 * - names that could land outside a folder or collide: absolute, `..` segments, backslashes, drive letters,
 *   NUL or control characters, empty segments, longer than 255 bytes, the same name twice;
 * - encrypted entries, compression other than stored or deflate (what Python's zipimport reads);
 * - no `__main__.py` at the top (Python would have nothing to run).
 * The sandbox runs the package as it is (python reads the zip itself); this check is what the server can
 * promise before a device ever sees it.
 */

export const MAX_PACKAGE_ENTRIES = 10_000;
export const MAX_PACKAGE_UNPACKED_BYTES = 1024 * 1024 * 1024;
export const MAX_COMPRESSION_RATIO = 200;
const MAX_NAME_BYTES = 255;
const ZIP64 = 'a ZIP64 archive: packages are plain zips (python -m zipapp writes one)';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const MAX_COMMENT = 0xffff;
/** Stored and deflated: what Python's zipimport can read. */
const METHODS: ReadonlySet<number> = new Set([0, 8]);

export interface PackageEntry {
  name: string;
  packedBytes: number;
  unpackedBytes: number;
}

export interface PackageCheck {
  /** Empty when the package passes. */
  problems: string[];
  entries: PackageEntry[];
  unpackedBytes: number;
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;

function findEndRecord(bytes: Uint8Array): number | undefined {
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (u32(bytes, at) === EOCD_SIGNATURE && at + EOCD_SIZE + u16(bytes, at + 20) === bytes.length) return at;
  }
  return undefined;
}

/** Why a name could not be unpacked safely into a folder, or undefined when it can. */
function badName(name: string, raw: Uint8Array): string | undefined {
  if (raw.length === 0) return 'an empty name';
  if (raw.length > MAX_NAME_BYTES) return `a name longer than ${MAX_NAME_BYTES} bytes`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a control character in the name';
  if (name.includes('\\')) return 'a backslash in the name';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  const segments = name.endsWith('/') ? name.slice(0, -1).split('/') : name.split('/');
  if (segments.some((s) => s === '..')) return 'a ".." segment';
  if (segments.some((s) => s === '' || s === '.')) return 'an empty or "." segment';
  return undefined;
}

export function checkPackage(bytes: Uint8Array): PackageCheck {
  const problems: string[] = [];
  const entries: PackageEntry[] = [];
  const result = (): PackageCheck => ({ problems, entries, unpackedBytes: entries.reduce((a, e) => a + e.unpackedBytes, 0) });
  /** A problem after which the rest of the archive cannot be read. */
  const stop = (why: string): PackageCheck => {
    problems.push(why);
    return result();
  };
  const end = findEndRecord(bytes);
  if (end === undefined) {
    return stop('no end-of-central-directory record at the end of the file: not a whole zip');
  }
  if (end >= 20 && u32(bytes, end - 20) === ZIP64_LOCATOR_SIGNATURE) {
    return stop(ZIP64);
  }
  const disk = u16(bytes, end + 4);
  const cdDisk = u16(bytes, end + 6);
  const onDisk = u16(bytes, end + 8);
  const count = u16(bytes, end + 10);
  const cdSize = u32(bytes, end + 12);
  const cdOffset = u32(bytes, end + 16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) {
    return stop('a multi-part zip: send one whole archive');
  }
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    return stop(ZIP64);
  }
  if (count > MAX_PACKAGE_ENTRIES) {
    return stop(`${count} entries (at most ${MAX_PACKAGE_ENTRIES})`);
  }
  // A zipapp may start with a "#!" line: offsets in the directory are then counted from the zip's own start.
  const cdStart = end - cdSize;
  const shift = cdStart - cdOffset;
  if (cdStart < 0 || shift < 0) {
    return stop('the central directory runs outside the file: a damaged zip');
  }
  const names = new Set<string>();
  const utf8 = new TextDecoder('utf-8');
  let at = cdStart;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_SIZE > end || u32(bytes, at) !== CENTRAL_SIGNATURE) {
      return stop(`central directory entry ${i + 1} of ${count} is missing or damaged`);
    }
    const flags = u16(bytes, at + 8);
    const method = u16(bytes, at + 10);
    const packed = u32(bytes, at + 20);
    const unpacked = u32(bytes, at + 24);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    const localOffset = u32(bytes, at + 42);
    const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > end) {
      return stop(`central directory entry ${i + 1} of ${count} runs past the directory's end`);
    }
    const raw = bytes.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
    const name = utf8.decode(raw);
    const label = JSON.stringify(name.slice(0, 80));
    const why = badName(name, raw);
    if (why !== undefined) problems.push(`entry ${label}: ${why}`);
    else if (names.has(name)) problems.push(`entry ${label} appears twice`);
    names.add(name);
    if ((flags & 0x1) !== 0) problems.push(`entry ${label} is encrypted`);
    if (!METHODS.has(method)) problems.push(`entry ${label} uses compression method ${method} (stored or deflate only)`);
    if (packed === 0xffffffff || unpacked === 0xffffffff || localOffset === 0xffffffff) problems.push(`entry ${label} needs ZIP64`);
    if (localOffset + shift >= cdStart) problems.push(`entry ${label} starts outside the archive's data`);
    if (unpacked > MAX_COMPRESSION_RATIO * Math.max(packed, 1) && unpacked > 1024 * 1024) {
      problems.push(`entry ${label} unpacks ${packed} bytes to ${unpacked} (over ${MAX_COMPRESSION_RATIO} times: a zip bomb?)`);
    }
    entries.push({ name, packedBytes: packed, unpackedBytes: unpacked });
    at = next;
  }
  if (at !== end) problems.push('the central directory holds more than its entries: a damaged zip');
  const total = result().unpackedBytes;
  if (total > MAX_PACKAGE_UNPACKED_BYTES) problems.push(`${total} bytes unpacked in all (at most ${MAX_PACKAGE_UNPACKED_BYTES})`);
  if (!names.has('__main__.py') && !names.has('__main__.pyc')) {
    problems.push('no __main__.py at the top of the package: Python would have nothing to run (python -m zipapp adds it from your folder)');
  }
  return result();
}
