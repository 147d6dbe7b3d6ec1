/**
 * E-mail (docs/accounts.md): off by default. With an SMTP URL (`lpcv serve --smtp-url`, env LPCV_SMTP_URL:
 * `smtp://user:pass@host:587`, `smtps://...:465`) messages go through nodemailer; without one, each message
 * is written to the server's log instead (so an organizer can still hand a verification link over), and the
 * account pages say that the server sends no e-mail.
 */
import nodemailer from 'nodemailer';
import { LpcvError } from '../../errors/lpcv-error.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** Whether messages leave the server (false: they go to its log only). */
  readonly sends: boolean;
  send(message: MailMessage): Promise<void>;
}

export const SMTP_URL_ENV = 'LPCV_SMTP_URL';
export const DEFAULT_MAIL_FROM = 'LPCV benchmark <lpcv@localhost>';

/** The server's mailer: SMTP when a URL is given (checked here, at start), else the log. */
export function mailerFor(smtpUrl: string | undefined, from: string, log: (line: string) => void): Mailer {
  if (smtpUrl === undefined || smtpUrl === '') {
    return {
      sends: false,
      send: (m) => {
        log(`mail (no SMTP configured: not sent) to ${m.to}: ${m.subject}\n${m.text}`);
        return Promise.resolve();
      },
    };
  }
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new LpcvError('LPCV_E_USAGE', 'the SMTP URL is not a URL (smtp://user:password@host:587 or smtps://...)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new LpcvError('LPCV_E_USAGE', `the SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  // Bounded: a sign-up waits for its e-mail, and nodemailer's own defaults wait minutes for a dead server.
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return {
    sends: true,
    send: async (m) => {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}
