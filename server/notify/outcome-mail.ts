/**
 * E-mail to a team's members when their submission finishes or fails (docs/webhooks.md, "E-mail"): rows of
 * the webhook outbox whose URL is `mailto:<address>`, holding the event's body; the message is written from
 * it when it is sent. Only verified addresses of the team's members get it.
 */
import type { Db } from '../db/index.js';

export const MAILTO = 'mailto:';

/** The message for an event's body (pure): what happened, the code and message of a failure, the score of a success. */
export function outcomeMail(body: string): { subject: string; text: string } {
  const e = JSON.parse(body) as { event: string; at: string; data: Record<string, unknown> };
  const d = e.data;
  const what = `submission ${String(d.submissionId)} on track ${String(d.track)}`;
  if (e.event === 'submission.done') {
    const score = typeof d.score === 'number' ? `score ${d.score}` : 'no score (see the status page for why)';
    return { subject: `LPCV: ${what} is done: ${score}`, text: `Team ${String(d.team)}: ${what} finished at ${e.at} with ${score}.\n` };
  }
  if (e.event === 'submission.failed') {
    const fault = d.fault === 'infrastructure' ? 'the infrastructure (it does not count against your quota)' : 'the submission';
    return {
      subject: `LPCV: ${what} failed (${String(d.code)})`,
      text: `Team ${String(d.team)}: ${what} failed at ${e.at}, by the fault of ${fault}.\n${String(d.code)}: ${String(d.message)}\n`,
    };
  }
  return { subject: `LPCV: ${e.event}`, text: `${e.event} at ${e.at}\n${JSON.stringify(d, null, 2)}\n` };
}

/** The verified addresses of the team's members (by the team's name, as events carry it). */
export async function memberAddresses(db: Db, teamName: string): Promise<string[]> {
  return (await db('team_members as m')
    .join('teams as t', 't.id', 'm.team_id')
    .join('accounts as a', 'a.id', 'm.account_id')
    .where('t.name', teamName)
    .whereNotNull('a.verified_at')
    .whereNull('a.disabled_at')
    .orderBy('a.email')
    .pluck('a.email')) as string[];
}
