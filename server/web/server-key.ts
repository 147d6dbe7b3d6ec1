import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';

const FORM_KEY = 'web_form_key';

/**
 * The key that signs form tokens and admin sessions, kept in `server_settings` (migration 0005) so that
 * every server process on one database agrees and a restart does not log everyone out. Made on first use;
 * two processes racing both read the one that was inserted first.
 */
export async function loadServerKey(db: Db, now: number): Promise<Buffer> {
  await db('server_settings')
    .insert({ key: FORM_KEY, value: randomBytes(32).toString('base64url'), created_at: now })
    .onConflict('key')
    .ignore();
  const row = (await db('server_settings').where('key', FORM_KEY).first('value')) as { value: string };
  return Buffer.from(row.value, 'base64url');
}
