/** The daily digest: the overview, titled with the day it reports on. */
import type { Summary } from '../../restore-points/summary.ts';
import type { SlackMessage } from './message.ts';
import { renderOverview } from './overview.ts';

export function renderDigest(summary: Summary, now: number, timeZone: string): SlackMessage {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(now);
  return renderOverview(summary, { title: `Restore points digest · ${day}`, staleOnly: false, times: { now, asOf: null } });
}
