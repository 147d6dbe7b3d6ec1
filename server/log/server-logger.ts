/**
 * The server's log (docs/operations.md, "Logs"): pino records, one per line, with a level, the time, a
 * `component`, and `reqId` on every line about a request and `jobId` on every line about a job. Two formats:
 * `json` (pino's own lines, for a log collector) and `text` (one readable line per record, for a terminal).
 * No token reaches a line: request lines carry no headers and a redacted URL (request-logger.ts), and the
 * paths below are censored in anything logged as an object.
 */
import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields that hold secrets wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'token',
  'leaseToken',
  'password',
  'authorization',
  'cookie',
  '*.token',
  '*.leaseToken',
  '*.password',
  '*.authorization',
  '*.cookie',
  'req.headers',
  'res.headers',
];

function options(level: LogLevel): pino.LoggerOptions {
  return {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** A link's secret in free text (an unsent e-mail's sign-in link): `token=...` and the like. */
const SECRET_IN_TEXT = /\b((?:token|secret|password|key|code|sig)=)[^\s&"'<>]+/gi;

/** `text` with the values of `token=` and similar replaced by `[redacted]`. */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, '$1[redacted]');
}

/**
 * pino's JSON lines to `stream` (default: stderr). Meant for a service's log collector, so free-text secrets
 * are redacted too: an e-mail written to the log for want of SMTP keeps its text but not its link's token.
 */
export function jsonLogger(level: LogLevel = 'info', stream: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      ...options(level),
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a: unknown) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}

/** The record's fields a text line shows after its message, in this order. */
const TEXT_FIELDS = ['reqId', 'jobId', 'deviceId'] as const;

/** One record as a text line: `<component>: <message> [reqId=... jobId=...]`, the error's stack below it. */
export function textLine(record: Record<string, unknown>): string {
  const fields = TEXT_FIELDS.filter((k) => record[k] !== undefined).map((k) => `${k}=${String(record[k])}`);
  const err = record.err as { stack?: string; message?: string } | undefined;
  const level = record.level === 'info' ? '' : `${String(record.level)}: `;
  return (
    `${String(record.component ?? 'serve')}: ${level}${String(record.msg ?? '')}${fields.length > 0 ? ` [${fields.join(' ')}]` : ''}` +
    (err?.stack !== undefined ? `\n${err.stack}` : err?.message !== undefined ? `: ${err.message}` : '')
  );
}

/** A logger whose records reach `write` as text lines (textLine); `lpcv serve`'s terminal and the tests. */
export function textLogger(write: (line: string) => void, level: LogLevel = 'info'): Logger {
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      for (const raw of String(chunk).split('\n')) {
        if (raw.trim() === '') continue;
        try {
          write(textLine(JSON.parse(raw) as Record<string, unknown>));
        } catch {
          write(raw);
        }
      }
      done();
    },
  });
  return pino(options(level), sink);
}
