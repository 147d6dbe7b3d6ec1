import type { Registration } from '../../harness/competitions/competition.js';
import { LpcvError } from '../../errors/lpcv-error.js';

export const OPEN_REGISTRATION: Registration = Object.freeze({ mode: 'open', allowedDomains: [] });

/** A practical shape for an address: one @, a local part, a domain with a dot; at most 254 characters. */
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+)$/;

/**
 * The address as stored: trimmed and lower-cased (accounts are found by address regardless of case), checked
 * against the competition's allowed domains (a subdomain of an allowed domain is allowed). Pure.
 * LPCV_E_EMAIL_INVALID otherwise.
 */
export function normalizeEmail(text: string, registration: Registration = OPEN_REGISTRATION): string {
  const email = text.trim().toLowerCase();
  const m = email.length <= 254 ? EMAIL.exec(email) : null;
  if (m === null) throw new LpcvError('LPCV_E_EMAIL_INVALID', `${JSON.stringify(text.slice(0, 80))} is not an e-mail address`);
  const domain = m[1]!;
  const allowed = registration.allowedDomains;
  if (allowed.length > 0 && !allowed.some((d) => domain === d || domain.endsWith(`.${d}`)))
    throw new LpcvError('LPCV_E_EMAIL_INVALID', `this competition takes addresses at ${allowed.join(', ')} only, not at ${domain}`);
  return email;
}

/** LPCV_E_REGISTRATION_CLOSED when the competition takes no new accounts or teams. */
export function checkRegistrationOpen(registration: Registration, what: 'accounts' | 'teams'): void {
  if (registration.mode === 'closed')
    throw new LpcvError('LPCV_E_REGISTRATION_CLOSED', `registration is closed: this competition takes no new ${what} (the organizers add teams)`);
}
