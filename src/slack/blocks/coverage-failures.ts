/**
 * The answers to `/restorepoints unprotected` (the VMs nothing protects, per appliance) and
 * `/restorepoints failed` (the failed and warning sessions of the failure window, each with the
 * appliance's own reason and a button to the session). Within Block Kit's limits always.
 */
import type { types } from '@slack/bolt';
import type { Answer } from '../../restore-points/answer.ts';
import { failuresMatching } from '../../restore-points/failures.ts';
import { formatCount, plural } from '../../restore-points/format.ts';
import type { ApplianceSummary } from '../../restore-points/summary.ts';
import { unread } from '../../restore-points/truth-words.ts';
import { BlockBudget, listWithin } from './budget.ts';
import { LIMITS } from './limits.ts';
import { actions, context, fallback, header, section, type SlackMessage } from './message.ts';
import { code, escape } from './mrkdwn.ts';
import { failureButton, failureText, workloadLabel } from './truth.ts';

/** Why an appliance has nothing to say here; null when it has. */
function silence(appliance: ApplianceSummary, what: 'inventory' | 'sessions'): string | null {
  if (unread(appliance)) return `🔴 *${escape(appliance.name)}* could not be read: ${escape(appliance.error ?? '')}`;
  if (what === 'inventory' && appliance.coverage === null) {
    const note = appliance.notes.find((n) => /inventory/i.test(n));
    return `➖ *${escape(appliance.name)}*: ${note ? escape(note) : 'its API version has no VM inventory, so unprotected VMs cannot be listed.'}`;
  }
  return null;
}

export function renderUnprotected(answer: Extract<Answer, { kind: 'unprotected' }>): SlackMessage {
  const budget = new BlockBudget({ blocks: 1, chars: 300 });
  budget.add(header('Unprotected VMs'));
  const counts: string[] = [];
  for (const appliance of answer.summary.appliances) {
    const quiet = silence(appliance, 'inventory');
    if (quiet) {
      budget.add(section(quiet));
      continue;
    }
    const coverage = appliance.coverage!;
    const head = `*${escape(appliance.name)}* · ${formatCount(coverage.protected)} of ${plural(coverage.workloads, 'VM')} protected`;
    counts.push(`${appliance.name}: ${coverage.unprotected.length} unprotected`);
    if (coverage.unprotected.length === 0) {
      budget.add(section(`✅ ${head} · every VM has a restore point`));
      continue;
    }
    const items = coverage.unprotected.map((vm) => `• ${workloadLabel({ name: vm.name, label: vm.label })}`);
    budget.add(section(`⚠️ ${head}\n${listWithin(items, Math.min(LIMITS.text - 200, budget.room - 100), '\n', 'narrow it with `/restorepoints unprotected on APPLIANCE`').text}`));
  }
  if (answer.summary.appliances.length === 0) budget.add(section('No appliance is configured.'));
  const text = counts.length ? `Unprotected VMs · ${counts.join(' · ')}` : 'Unprotected VMs';
  return { text: fallback(escape(text)), blocks: budget.finish(context('A VM is unprotected when the appliance knows it (its inventory) but holds no restore point of it.')) };
}

export function renderFailed(answer: Extract<Answer, { kind: 'failed' }>): SlackMessage {
  const budget = new BlockBudget({ blocks: 1, chars: 300 });
  const asked = answer.names.length ? ` · ${answer.names.map(code).join(' ')}` : '';
  budget.add(header(`Failed and warning sessions${answer.names.length ? ` · ${answer.names.join(' ')}` : ''}`));
  const buttonIndex = { next: 0 };
  let total = 0;
  for (const appliance of answer.summary.appliances) {
    const quiet = silence(appliance, 'sessions');
    if (quiet) {
      budget.add(section(quiet));
      continue;
    }
    const failures = failuresMatching(appliance.failures, answer.names);
    total += failures.length;
    const note = appliance.notes.find((n) => /session/i.test(n));
    if (failures.length === 0) {
      budget.add(section(note ? `⚠️ *${escape(appliance.name)}*: ${escape(note)}` : `✅ *${escape(appliance.name)}*${asked}: no session failed or warned in the failure window`));
      continue;
    }
    const items = failures.map((failure) => {
      const workloads = failure.workloads.length ? ` — ${listWithin(failure.workloads.map(code), 400, ', ', 'ask `/restorepoints failed NAME`').text}` : '';
      return `${failureText(failure)}${workloads}`;
    });
    const buttons = failures
      .slice(0, LIMITS.actions)
      .map((failure) => failureButton(appliance.name, failure, answer.times.now, buttonIndex.next++))
      .filter((button): button is types.Button => button !== null);
    const head = `*${escape(appliance.name)}* · ${plural(failures.length, 'session')} failed or warned`;
    budget.add(section(`${head}\n${listWithin(items, Math.min(LIMITS.text - 200, budget.room - 300), '\n', 'narrow it with `/restorepoints failed NAME`').text}`), ...(buttons.length ? [actions(buttons)] : []));
  }
  if (answer.summary.appliances.length === 0) budget.add(section('No appliance is configured.'));
  return {
    text: fallback(total ? `${plural(total, 'session')} failed or warned` : 'No session failed or warned in the failure window'),
    blocks: budget.finish(context('Sessions started within FAILURE_WINDOW that ended Error or Warning, newest first, with the last error line of their log.')),
  };
}
