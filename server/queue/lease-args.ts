/** What a leaser asks for (leaseJob), and what the pick filters on (lease-pick.ts). */
export interface LeaseArgs {
  /** Recorded as leased_by and in job_events. */
  readonly agentId: string;
  /** The target kinds this agent can run; at least one. */
  readonly targetKinds: readonly string[];
  /** The lease lasts this long unless a heartbeat extends it. */
  readonly leaseMs: number;
  /**
   * The leasing device (devices.id): jobs pinned to it (`pinned_device_id`, a reference run) are candidates
   * too. Without it, pinned jobs are never leased.
   */
  readonly deviceId?: number;
  /**
   * The artifact formats the leaser runs (onnx, tflite, zip): only jobs whose `artifact_format` is one of
   * them are candidates. Omitted: any format (a device that did not say).
   */
  readonly formats?: readonly string[];
}
