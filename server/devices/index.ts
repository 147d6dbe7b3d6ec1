/**
 * Device health on the server (docs/devices.md): each device's state and last sign of life, one job per
 * device, the offline sweep, an admin's drain, and reference runs that flag a device whose latency drifted.
 * Job state itself stays server/queue's; this module writes only `devices` and `reference_runs`.
 */
export { deviceDrift, type DeviceDrift, type ReferenceResult } from './device-drift.js';
export {
  DEFAULT_DEVICE_HEALTH,
  DEFAULT_DRIFT_PCT,
  DEFAULT_OFFLINE_AFTER_MS,
  deviceHealthConfig,
  type DeviceHealthConfig,
  type DeviceHealthSettings,
} from './device-health-config.js';
export { heldJobOf, settleDeviceState, type DeviceState } from './device-state.js';
export { deviceSweeps } from './device-sweeps.js';
export { drainDevice, parseDeviceId, undrainDevice, type DrainChange } from './drain-device.js';
export { leaseForDevice, type DeviceLease, type DeviceLeaseArgs } from './lease-for-device.js';
export { leaseHolder, leasedByDevice } from './lease-holder.js';
export { listDevices, type DeviceHealth, type DeviceJob } from './list-devices.js';
export {
  checkReferenceBaselines,
  queueReferenceRuns,
  recordReferenceResult,
  referenceBaselineFor,
  type QueuedReferenceRun,
  type ReferenceBaseline,
} from './reference-runs.js';
export { sweepDevices, type SweptDevice } from './sweep-devices.js';
