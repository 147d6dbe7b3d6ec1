import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../../harness/schema-issues.js';

/** The 200 answer of POST /api/agent/lease (docs/api.md, "Lease"); unknown keys are ignored. */
export const leaseAnswerSchema = z.object({
  job: z.object({
    id: z.number().int().positive(),
    submissionId: z.string().min(1),
    track: z.string().min(1),
    split: z.string().min(1),
    leaseToken: z.string().min(1),
    leaseExpiresAt: z.number(),
    attempt: z.number().int().positive(),
  }),
  track: z.record(z.string(), z.unknown()),
  artifact: z.object({ url: z.string().startsWith('/'), sha256: z.string(), bytes: z.number().int().nonnegative(), format: z.string() }),
  inputs: z.object({ url: z.string().startsWith('/'), sha256: z.string(), bytes: z.number().int().nonnegative(), count: z.number().int().nonnegative() }),
  /** The track's adversarial sets of the job's split (docs/robustness.md), each an input pack like `inputs`. */
  robustnessInputs: z
    .array(z.object({ split: z.string().min(1), url: z.string().startsWith('/'), sha256: z.string(), bytes: z.number().int().nonnegative(), count: z.number().int().nonnegative() }))
    .optional(),
});

export type LeaseAnswer = z.infer<typeof leaseAnswerSchema>;

export function parseLeaseAnswer(body: unknown): LeaseAnswer {
  const parsed = leaseAnswerSchema.safeParse(body);
  if (!parsed.success) {
    throw new LpcvError('LPCV_E_INTERNAL', `the server's lease answer is malformed: ${describeIssues(parsed.error.issues, { max: 3, topLevel: '(body)' })}`);
  }
  return parsed.data;
}
