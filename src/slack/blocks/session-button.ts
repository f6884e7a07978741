/**
 * The button beside each latest point: it names the job session that made the point and
 * carries what a click needs to fetch it from the right appliance.
 */
import type { types } from '@slack/bolt';
import { LIMITS } from './limits.ts';
import { button } from './message.ts';
import { escape } from './mrkdwn.ts';

/** Buttons' action_ids start with this; the rest keeps them unique within a message. */
export const SESSION_ACTION_PREFIX = 'open_session';
export const SESSION_ACTION_PATTERN = /^open_session(?::|$)/;

export interface SessionRef {
  readonly appliance: string;
  readonly session: string;
}

/** Long uuids are recognisable by their first block; short ids (v1: "37") stay whole. */
export function shortSessionId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id) ? id.slice(0, 8) : id;
}

/**
 * A clock time a button can show (buttons cannot hold Slack's date tokens): "02:00 UTC", with the
 * day ("24 Nov 02:00 UTC") when it is not within the last day.
 */
export function buttonTime(ms: number, now: number): string {
  const iso = new Date(ms).toISOString();
  const clock = `${iso.slice(11, 16)} UTC`;
  if (now - ms < 20 * 3_600_000 && now >= ms) return clock;
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(ms);
  return `${day} ${clock}`;
}

/**
 * A button that says what it opens, e.g. "Error · Gold-VMs · 02:00 UTC" or "Snapshot session ·
 * 02:00 UTC". Null when the reference would not fit a button value (an absurd id is not worth a
 * broken button).
 */
export function sessionButton(ref: SessionRef, label: string, index: number): types.Button | null {
  const value = JSON.stringify({ a: ref.appliance, s: ref.session });
  if (value.length > LIMITS.buttonValue) return null;
  return button(escape(label), { actionId: `${SESSION_ACTION_PREFIX}:${index}`, value });
}

/** The button for the session that made a point: "Snapshot session · 02:00 UTC". */
export function pointSessionButton(ref: SessionRef, destination: string, point: { pointInTime: string }, now: number, index: number): types.Button | null {
  return sessionButton(ref, `${destination} session · ${buttonTime(Date.parse(point.pointInTime), now)}`, index);
}

/**
 * What a job-session id looks like: a uuid (v8) or a number (v1), possibly another appliance's
 * word-ish id, but never `.`/`..`, a slash, a space or a query: the id goes into the appliance's
 * URL path, where `.` and `..` would ask for the session list or the API root instead.
 */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export function isSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

/** The button's reference, or null when it names no appliance or no id that could be a session's. */
export function parseSessionValue(value: unknown): SessionRef | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(value);
    if (!parsed || typeof parsed !== 'object') return null;
    const { a, s } = parsed as { a?: unknown; s?: unknown };
    return typeof a === 'string' && typeof s === 'string' && isSessionId(s) ? { appliance: a, session: s } : null;
  } catch {
    return null;
  }
}
