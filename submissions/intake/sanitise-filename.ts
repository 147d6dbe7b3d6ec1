/**
 * The client's file name, made safe to record and show: never used as a path. Keeps only the last segment
 * after any `/` or `\` (and a Windows drive prefix), drops control and invisible formatting characters
 * (NUL, newlines, right-to-left overrides that disguise an extension), collapses runs of whitespace and caps
 * the length, keeping a short extension. Returns '' when nothing usable is left (e.g. `..`).
 */
export const MAX_FILENAME_CHARS = 120;
const MAX_KEPT_EXTENSION = 16;

// Cc: C0/C1 controls including NUL and DEL; Cf: format characters (bidi overrides, zero-width);
// Zl/Zp: line and paragraph separators.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

export function sanitiseFilename(name: string | null | undefined): string {
  if (typeof name !== 'string') return '';
  const visible = name.normalize('NFC').replace(INVISIBLE, '');
  const lastSegment = visible.split(/[/\\]/).pop() ?? '';
  const base = lastSegment
    .replace(/^[A-Za-z]:/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (base === '' || /^\.+$/.test(base)) return '';
  return capLength(base);
}

/** Cuts to MAX_FILENAME_CHARS code points (never half a surrogate pair), keeping a short extension. */
function capLength(base: string): string {
  const chars = [...base];
  if (chars.length <= MAX_FILENAME_CHARS) return base;
  const dot = base.lastIndexOf('.');
  const extension = dot > 0 ? [...base.slice(dot)] : [];
  const kept = extension.length <= MAX_KEPT_EXTENSION ? extension : [];
  const stem = chars.slice(0, MAX_FILENAME_CHARS - kept.length - 1);
  return `${stem.join('').trimEnd()}…${kept.join('')}`;
}
