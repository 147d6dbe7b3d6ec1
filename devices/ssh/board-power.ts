/**
 * Power on an SSH board: the board's hwmon devices are listed over SSH once per run, the rails are chosen
 * and converted with devices/power/hwmon.ts's own pure functions (the same selection and units as a local
 * hwmon sampler), and the board-side loop (board/lpcv-run.sh) reads just those rails' files with a
 * timestamp per reading. This file turns its raw lines back into watts.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { hwmonDeviceFromFiles, railWatts, selectHwmonRails, type HwmonDevice, type SelectedRail } from '../power/hwmon.js';
import type { PowerSample } from '../power/power-sampler.js';

/**
 * Lists `<root>/class/hwmon/hwmon*` and the extra folders given ("$2".. : the folders of absolute
 * selector terms and their parents), one line per attribute file: `dir<TAB>file<TAB>value`. Only folders
 * with a `name` file are hwmon devices. A file that cannot be read prints an empty value.
 */
export const HWMON_LIST_SCRIPT = [
  'root=$1; shift',
  'for d in "$root"/class/hwmon/hwmon* "$@"; do',
  '  [ -f "$d/name" ] || continue',
  '  for f in "$d"/name "$d"/power*_input "$d"/power*_label "$d"/in*_input "$d"/in*_label "$d"/curr*_input "$d"/curr*_label; do',
  '    [ -f "$f" ] || continue',
  '    v=; read -r v < "$f" 2>/dev/null',
  '    printf "%s\\t%s\\t%s\\n" "$d" "${f##*/}" "$v"',
  '  done',
  'done',
].join('\n');

/** The folders to list besides `<root>/class/hwmon/*`: each absolute selector term and its parent. */
export function extraHwmonDirs(select: string): string[] {
  const out = new Set<string>();
  for (const t of select.split(',').map((x) => x.trim().replace(/\/+$/, ''))) {
    if (!t.startsWith('/')) continue;
    out.add(t);
    out.add(t.slice(0, t.lastIndexOf('/')) || '/');
  }
  return [...out];
}

/** The devices in a listing, in the order they came (the board's glob order). */
export function parseHwmonListing(text: string): HwmonDevice[] {
  const byDir = new Map<string, Record<string, string>>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [dir, file, ...rest] = line.split('\t');
    if (dir === undefined || file === undefined) continue;
    const files = byDir.get(dir) ?? {};
    files[file] = rest.join('\t');
    byDir.set(dir, files);
  }
  // A selector term like /sys/class/hwmon/hwmon2 names the same device as the glob's entry: list it once.
  return [...byDir.entries()].map(([dir, files]) => hwmonDeviceFromFiles(dir, files));
}

export interface BoardRails {
  readonly rails: readonly SelectedRail[];
  /** Absolute files on the board the loop reads, in column order. */
  readonly files: readonly string[];
  /** e.g. hwmon:ir38060/pout1+ina226/in1 */
  readonly source: string;
}

/**
 * The rails a selector names among the board's devices (devices/power/hwmon.ts decides, and refuses with
 * LPCV_E_POWER_NO_SENSOR naming what is there), and the files that a reading needs.
 */
export function chooseBoardRails(devices: readonly HwmonDevice[], select: string): BoardRails {
  // An absolute term names a device by its folder (or a rail under it): the listing has that folder.
  const rails = selectHwmonRails(devices, select === '' ? undefined : select);
  const files: string[] = [];
  for (const r of rails) for (const f of r.rail.files) files.push(`${r.device.dir}/${f}`);
  return { rails, files, source: `hwmon:${rails.map((r) => r.description).join('+')}` };
}

/**
 * Samples from the loop's lines (`t_ns<TAB>value...`, one value per file in `files` order), as ms since
 * `startNs` (the window's start on the same board clock) and the selected rails' summed watts. A line cut
 * short (the loop killed mid-write) is dropped when it is the last; anywhere else, or a value that is
 * empty or not an integer, is LPCV_E_POWER_READ / LPCV_E_POWER_VALUE.
 */
export function parsePowerLines(text: string, board: BoardRails, startNs: bigint): PowerSample[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const samples: PowerSample[] = [];
  lines.forEach((line, i) => {
    const cells = line.split('\t');
    const complete = cells.length === board.files.length + 1 && /^\d+$/.test(cells[0] ?? '');
    if (!complete) {
      if (i === lines.length - 1) return;
      throw new LpcvError('LPCV_E_POWER_READ', `power sample ${i + 1} from the board is malformed: ${JSON.stringify(line.slice(0, 120))}`);
    }
    const values: Record<string, string> = {};
    board.files.forEach((f, k) => {
      const v = cells[k + 1] ?? '';
      if (v === '') throw new LpcvError('LPCV_E_POWER_READ', `power sample ${i + 1}: ${f} could not be read on the board`);
      values[f] = v;
    });
    let watts = 0;
    for (const r of board.rails) {
      const files: Record<string, string> = {};
      for (const f of r.rail.files) files[f] = values[`${r.device.dir}/${f}`]!;
      watts += railWatts(r.rail, files);
    }
    const t = Number(BigInt(cells[0]!) - startNs) / 1e6;
    samples.push({ t, watts });
  });
  return samples;
}
