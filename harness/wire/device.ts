import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../schema-issues.js';

/** Device names: what agent names allow, plus ':' (no '/'), at most 100 characters. */
export const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
/** Target kinds (a track's `target.kind`): 1-50 lowercase letters, digits and -. */
export const TARGET_KIND = /^[a-z0-9][a-z0-9-]{0,49}$/;

/** POST /api/agent/devices: register a device, or refresh the one of that name (docs/api.md, "Devices"). */
export const deviceRequestSchema = z.strictObject({
  name: z.string().regex(DEVICE_NAME, 'expected 1-100 letters, digits, . _ : - (starting with a letter or digit)'),
  kind: z.string().regex(TARGET_KIND, 'expected a target kind: 1-50 lowercase letters, digits and -'),
  capabilities: z.record(z.string(), z.unknown()).optional(),
});
export type DeviceRequest = z.infer<typeof deviceRequestSchema>;

/** The registration's 200 answer: the device's id, to lease with. */
export interface DeviceAnswer {
  readonly deviceId: number;
  readonly name: string;
  readonly kind: string;
}

/** What an agent reads of that answer; the rest is ignored. */
const registeredSchema = z.object({ deviceId: z.number().int().positive() });

/** The agent's side: the registered device's id, or LPCV_E_INTERNAL (the server answered something else). */
export function registeredDeviceId(body: unknown): number {
  const parsed = registeredSchema.safeParse(body);
  if (!parsed.success) {
    throw new LpcvError(
      'LPCV_E_INTERNAL',
      `the server registered the device without an id: ${describeIssues(parsed.error.issues, { max: 3, topLevel: '(body)' })}`,
    );
  }
  return parsed.data.deviceId;
}
