/**
 * Issue 13 in Block Kit: why a workload is stale or failing (the appliance's own sentence, with
 * a button to that session), the VMs nothing protects, and what could not be read beside the
 * points. Every outside string is escaped; long error text is cut.
 */
import type { types } from '@slack/bolt';
import type { LastFailure } from '../../restore-points/failures.ts';
import { formatCount, plural } from '../../restore-points/format.ts';
import type { ApplianceSummary, Summary, WorkloadSummary } from '../../restore-points/summary.ts';
import { failureTitle, troubleWords, unread } from '../../restore-points/truth-words.ts';
import { listWithin } from './budget.ts';
import { code, escape, slackDate } from './mrkdwn.ts';
import { buttonTime, sessionButton } from './session-button.ts';

/** The appliance's error text is theirs: quoted, escaped, and cut to keep lists readable. */
const MESSAGE_MAX = 280;

export function statusMark(status: string): string {
  return /error/i.test(status) ? '❌' : '⚠️';
}

/** "❌ *Error* · Gold-VMs · <date>: “Failed to create a snapshot…”". */
export function failureText(failure: LastFailure): string {
  const when = failure.startedAt ? ` · ${slackDate(Date.parse(failure.startedAt))}` : '';
  const message = failure.message ? `: “${escape(failure.message.length > MESSAGE_MAX ? `${failure.message.slice(0, MESSAGE_MAX - 1)}…` : failure.message)}”` : ' (the appliance logged no reason)';
  return `${statusMark(failure.status)} *${escape(failure.status)}*${failure.policy ? ` · ${escape(failure.policy)}` : ''}${when}${message}`;
}

/** "Error · Gold-VMs · 02:00 UTC": a button to the failed session. */
export function failureButton(appliance: string, failure: LastFailure, now: number, index: number): types.Button | null {
  const when = failure.startedAt ? ` · ${buttonTime(Date.parse(failure.startedAt), now)}` : '';
  return sessionButton({ appliance, session: failure.sessionId }, `${failureTitle(failure)}${when}`, index);
}

/** `vm-web-01` (rg-dev · Development). */
export function workloadLabel(workload: Pick<WorkloadSummary, 'name' | 'label'>): string {
  return workload.label ? `${code(workload.name)} (${escape(workload.label)})` : code(workload.name);
}

/** Workloads that are not stale but must not look good, each with its reason. */
export function failingItems(summary: Summary): string[] {
  const many = summary.appliances.length > 1;
  return summary.appliances.flatMap((appliance) =>
    appliance.workloads
      .filter((w) => !w.stale && w.trouble !== null)
      .map((w) => {
        const on = many ? ` on *${escape(appliance.name)}*` : '';
        const why = w.lastFailure && w.trouble !== 'corrupted' ? ` — ${failureText(w.lastFailure)}` : '';
        return `${w.trouble === 'Warning' ? '⚠️' : '❌'} ${workloadLabel(w)}${on}: ${troubleWords(w.trouble!)}${why}`;
      }),
  );
}

/** Buttons to the newest failure of each stale or failing workload (one per session). */
export function failureButtons(summary: Summary, now: number, buttonIndex: { next: number }, max = 5): types.Button[] {
  const seen = new Set<string>();
  const buttons: types.Button[] = [];
  for (const appliance of summary.appliances) {
    for (const w of appliance.workloads) {
      if (!w.lastFailure || !(w.stale || w.trouble) || buttons.length >= max) continue;
      const key = `${appliance.name}\u0000${w.lastFailure.sessionId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const made = failureButton(appliance.name, w.lastFailure, now, buttonIndex.next++);
      if (made) buttons.push(made);
    }
  }
  return buttons;
}

/** "*Not protected* — 2 of 15 VMs have no restore point: `vm-new-07` (rg-dev), …"; null when none. */
export function unprotectedText(summary: Summary, max: number): string | null {
  const many = summary.appliances.length > 1;
  const items = summary.appliances.flatMap((appliance: ApplianceSummary) =>
    (appliance.coverage?.unprotected ?? []).map((vm) => `${workloadLabel({ name: vm.name, label: vm.label })}${many ? ` on *${escape(appliance.name)}*` : ''}`),
  );
  if (items.length === 0) return null;
  const inventory = summary.appliances.reduce((n, a) => n + (a.coverage?.workloads ?? 0), 0);
  const head = `*Not protected* — ${formatCount(items.length)} of ${plural(inventory, 'VM')} ${items.length === 1 ? 'has' : 'have'} no restore point`;
  return `${head}\n${listWithin(items, max - head.length - 10, ', ', 'ask `/restorepoints unprotected`').text}`;
}

/** Sentences about what could not be read beside the points (not for appliances that could not be read at all). */
export function notesOf(summary: Summary): string[] {
  return summary.appliances.flatMap((a) => [
    // Data that looks wrong is said even beside an error: it is about what was read.
    ...(a.warning === null ? [] : [`⚠️ *${escape(a.name)}*: ${escape(a.warning)}`]),
    ...(unread(a) || a.error ? [] : a.notes.map(escape)),
  ]);
}

