import type { Competition } from '../../harness/competitions/competition.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { WebhookSubscriber } from './webhook-events.js';

/** A signing secret shorter than this is refused at start: HMAC is only as strong as its key. */
export const MIN_WEBHOOK_SECRET_CHARS = 16;

/**
 * The competition's webhook subscribers with their secrets, read from the server's environment at start
 * (the bundle and the database hold only the variable's name). A missing or short secret stops the start
 * with LPCV_E_USAGE naming the URL and the variable: a server that would send unsigned or weakly signed
 * events, or none at all, is a configuration error.
 */
export function webhookSubscribers(c: Competition | null, env: Readonly<Record<string, string | undefined>>): WebhookSubscriber[] {
  return (c?.webhooks ?? []).map((w) => {
    const secret = env[w.secretEnv];
    if (secret === undefined || secret === '')
      throw new LpcvError(
        'LPCV_E_USAGE',
        `webhook ${w.url}: its secret's environment variable ${w.secretEnv} is not set on this server (competition ${c!.name})`,
      );
    if (secret.length < MIN_WEBHOOK_SECRET_CHARS)
      throw new LpcvError(
        'LPCV_E_USAGE',
        `webhook ${w.url}: the secret in ${w.secretEnv} has ${secret.length} characters; use at least ${MIN_WEBHOOK_SECRET_CHARS} (e.g. openssl rand -hex 32)`,
      );
    return { url: w.url, secret, events: [...w.events] };
  });
}
