import path from 'node:path';
import { listOrEmpty, readIntegerOrNull, readText } from './read-text.js';

/** One thermal zone's reading: its sysfs folder name (thermal_zoneN; absent for a phone's HAL sensor), type and degrees C. */
export interface ThermalZoneReading {
  zone?: string;
  type: string;
  celsius: number;
}

/**
 * Readings into the snapshot's `thermalC` (type -> degrees C). Types are usually distinct (cpu-thermal,
 * CPU-therm, GPU-therm ...) but need not be (x86 firmware often has several `acpitz`): the first zone of a
 * type keeps the bare type, each further one is `type (thermal_zoneN)` (or `type #2` ...), so no reading is
 * lost and a zone keeps its key between the readings before and after a trial.
 */
export function thermalRecord(readings: readonly ThermalZoneReading[]): Record<string, number> {
  // A Map, then Object.fromEntries: a zone typed `__proto__` or `constructor` stays an ordinary key.
  const out = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const r of readings) {
    if (!Number.isFinite(r.celsius) || out.size >= 256) continue;
    const type = r.type.trim().slice(0, 60) || r.zone || 'zone';
    const n = (seen.get(type) ?? 0) + 1;
    seen.set(type, n);
    const key = n === 1 ? type : r.zone !== undefined ? `${type} (${r.zone})` : `${type} #${n}`;
    if (!out.has(key)) out.set(key, r.celsius);
  }
  return Object.fromEntries(out);
}

/**
 * `<sys>/class/thermal/thermal_zone*`: `type` and `temp` in millidegrees C (Documentation/driver-api/thermal/
 * sysfs-api.rst), in zone order. A zone whose temp cannot be read (some answer EINVAL or ENODATA while their
 * sensor is off) or is not an integer is left out.
 */
export async function readThermalZones(sysRoot: string): Promise<ThermalZoneReading[]> {
  const dir = path.join(sysRoot, 'class', 'thermal');
  const zones = (await listOrEmpty(dir)).filter((n) => /^thermal_zone\d+$/.test(n)).sort((a, b) => Number(a.slice(12)) - Number(b.slice(12)));
  const out: ThermalZoneReading[] = [];
  for (const zone of zones) {
    const [type, milli] = await Promise.all([readText(path.join(dir, zone, 'type')), readIntegerOrNull(path.join(dir, zone, 'temp'))]);
    if (milli === null) continue;
    out.push({ zone, type: type?.trim() || zone, celsius: milli / 1000 });
  }
  return out;
}
