import type { Track } from '../../harness/tracks/track.js';
import type { Db } from '../db/index.js';
import type { DeviceHealthConfig } from './device-health-config.js';
import { checkReferenceBaselines, queueReferenceRuns } from './reference-runs.js';
import { sweepDevices, type SweptDevice } from './sweep-devices.js';

/**
 * What the server's reaper loop runs after reclaiming expired leases, with the same clock reading: the
 * device sweep (offline after silence), then the reference runs when they are on. Logs what changed.
 * Checks the designated reference baselines against the tracks first (LPCV_E_USAGE: a start-up error).
 * Answers the devices the sweep changed (the server announces the ones gone offline: server/notify).
 */
export function deviceSweeps(o: {
  db: Db;
  tracks: readonly Track[];
  config: DeviceHealthConfig;
  log: (line: string) => void;
}): (now: number) => Promise<SweptDevice[]> {
  checkReferenceBaselines(o.tracks, o.config);
  return async (now) => {
    const swept = await sweepDevices(o.db, o.config.offlineAfterMs, now);
    for (const d of swept) {
      o.log(
        d.state === 'offline'
          ? `device ${d.id} (${d.name}) is offline: not heard from for ${o.config.offlineAfterMs} ms`
          : `device ${d.id} (${d.name}) holds no job any more: ${d.state}`,
      );
    }
    for (const r of await queueReferenceRuns(o.db, o.tracks, o.config, now)) {
      o.log(`queued reference run job ${r.jobId} (${r.track}/${r.baseline}) for device ${r.deviceId} (${r.deviceName})`);
    }
    return swept;
  };
}
