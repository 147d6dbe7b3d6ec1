/** What a job's `leased_by` says when a device of the agent API leased it. */
export function leaseHolder(deviceId: number): string {
  return `device:${deviceId}`;
}

/** The device id in a job's `leased_by`, or undefined when another kind of leaser (a test, the reaper) wrote it. */
export function leasedByDevice(leasedBy: string | null): number | undefined {
  const m = /^device:(\d+)$/.exec(leasedBy ?? '');
  return m ? Number(m[1]) : undefined;
}
