/**
 * Whose fault an AI Hub failure is (docs/aihub.md, "Faults"). The helper classifies the client's exceptions
 * (aihub_helper.py `classify`): `UserError` is the submission's, `InternalError`, network failures, timeouts
 * and quota refusals the infrastructure's. A compile, profile or inference job that ran and failed on the
 * model is the submission's. The fault follows from the code (errors/codes.ts), so each stage picks a code.
 */
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';

/** The codes this driver raises (errors/codes.ts); the fault follows from each. */
export const AIHUB_CODES = {
  /** AI Hub or the helper is unavailable: InternalError, network, quota, a queue wait past the bound. */
  infrastructure: 'LPCV_E_AIHUB_UNAVAILABLE',
  /** The agent's Python cannot import qai_hub (the helper's `ClientMissing`). */
  clientMissing: 'LPCV_E_AIHUB_CLIENT_MISSING',
  /** The compile job refused the model (UserError at upload or compile, or a failed compile job). */
  compile: 'LPCV_E_MODEL_LOAD',
  /** A profile or inference job failed on the model. */
  run: 'LPCV_E_MODEL_RUNTIME',
  /** A submitted AI Hub compile job that cannot be used: not shared, not succeeded, another device, runtime or input spec. */
  sharedJob: 'LPCV_E_AIHUB_JOB_INVALID',
} as const satisfies Record<string, ErrorCode>;

/** The helper's refusal: whose fault it says it is, the client's exception kind, and its one-line message. */
export class AihubFault extends Error {
  constructor(
    readonly op: string,
    readonly fault: 'submission' | 'infrastructure',
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'AihubFault';
  }
}

export type AihubStage = 'compile' | 'run' | 'sharedJob';

/** An error from a helper call in `stage` as the LpcvError the agent reports; other errors pass through. */
export function toLpcvError(e: unknown, stage: AihubStage): unknown {
  if (!(e instanceof AihubFault)) return e;
  const detail = { op: e.op, kind: e.kind };
  if (e.kind === 'ClientMissing') return new LpcvError(AIHUB_CODES.clientMissing, e.message, detail);
  if (e.fault === 'infrastructure') return new LpcvError(AIHUB_CODES.infrastructure, `AI Hub ${e.op}: ${e.kind}: ${e.message}`, detail);
  return new LpcvError(AIHUB_CODES[stage], `AI Hub refused ${e.op}: ${e.message}`, detail);
}

/** Runs a helper call of `stage` and rethrows its failure as the stage's LpcvError. */
export async function inStage<T>(stage: AihubStage, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toLpcvError(e, stage);
  }
}
