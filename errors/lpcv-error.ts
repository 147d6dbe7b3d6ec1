import { ERROR_CODES, type ErrorCode, type Fault } from './codes.js';

/** An error with a stable code and a one-line message meant for a person. */
export class LpcvError extends Error {
  readonly code: ErrorCode;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'LpcvError';
    this.code = code;
    this.detail = detail;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get fault(): Fault {
    return ERROR_CODES[this.code].fault;
  }

  toJSON(): { code: ErrorCode; message: string; fault: Fault; detail?: Record<string, unknown> } {
    return { code: this.code, message: this.message, fault: this.fault, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export function isLpcvError(e: unknown): e is LpcvError {
  return e instanceof LpcvError;
}
