/** The daily digest: the overview, titled with the day it reports on. */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { Summary } from '../../restore-points/summary.ts';
import type { SlackMessage } from './message.ts';
import { renderOverview } from './overview.ts';

export function renderDigest(summary: Summary, now: number, timeZone: string): SlackMessage {
  const day = format(new TZDate(now, timeZone), 'EEE d MMM');
  return renderOverview(summary, { title: `Restore points digest · ${day}`, staleOnly: false, times: { now, asOf: null } });
}
