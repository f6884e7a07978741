/**
 * `restorepoints alerts [--json]`: the open problems, acknowledgements and snoozes, read from the
 * same state the watch keeps (the SQLite file, or Redis with REDIS_URL). Reads only: the file is
 * opened read-only, so this is safe beside a running `serve`.
 */
import { problemTitle } from '../alerts/problems.ts';
import { stateFrom, type AlertState } from '../alerts/transitions.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { openStateStore } from '../state/open.ts';
import { EXIT, type CommandIo } from './io.ts';

export interface AlertsFlags {
  readonly json: boolean;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export async function alertsCommand(flags: AlertsFlags, io: CommandIo): Promise<number> {
  let config;
  try {
    config = loadConfig(io.env, { appliances: false, slack: 'none' });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  let store;
  try {
    store = await openStateStore(config, { readOnly: true });
  } catch (error) {
    io.stderr.write(`restorepoints: could not read the alert state: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
  try {
    const document = await store.read();
    const state = stateFrom(document);
    const now = io.now();
    io.stdout.write(flags.json ? `${JSON.stringify(alertsJson(state, store.where, document !== null), null, 2)}\n` : alertsText(state, store.where, document !== null, now));
    return EXIT.ok;
  } catch (error) {
    io.stderr.write(`restorepoints: could not read the alert state from ${store.where}: ${(error as Error).message}\n`);
    return EXIT.failed;
  } finally {
    await store.close();
  }
}

function openRecords(state: AlertState) {
  return Object.values(state.records).filter((record) => record.resolvedAt === null);
}

/** The one JSON document for scripts. */
export function alertsJson(state: AlertState, where: string, saved: boolean) {
  return {
    state: where,
    saved,
    baselined: state.baselined,
    watcher: state.lease,
    problems: openRecords(state).map((record) => ({
      key: record.problem.key,
      kind: record.problem.kind,
      title: problemTitle(record.problem),
      appliance: record.problem.appliance,
      workload: record.problem.workload,
      destination: record.problem.destination,
      since: new Date(record.problem.since ?? record.openedAt).toISOString(),
      reason: record.problem.reason,
      session: record.problem.session,
      acknowledged: record.acknowledged ? { by: record.acknowledged.by, at: new Date(record.acknowledged.at).toISOString() } : null,
      snoozed: record.snoozed ? { by: record.snoozed.by, until: new Date(record.snoozed.until).toISOString() } : null,
      messages: record.roots,
    })),
    pending: state.outbox.map((item) => ({ type: item.type, channel: item.channel, problems: item.keys.length, attempts: item.attempts, lastError: item.lastError })),
  };
}

function alertsText(state: AlertState, where: string, saved: boolean, now: number): string {
  if (!saved) return `No alert state yet at ${where}: the watch has not run (serve with ALERT_CHANNELS set).\n`;
  const lines = [`Alert state: ${where}`];
  lines.push(state.lease && state.lease.until > now ? `Watched by ${state.lease.by} (lease until ${utc(state.lease.until)})` : 'No replica is watching right now.');
  const open = openRecords(state);
  lines.push('', open.length === 0 ? 'No open problems.' : `Open problems (${open.length}):`);
  for (const record of open) {
    lines.push(`  ✗ ${problemTitle(record.problem)} — since ${utc(record.problem.since ?? record.openedAt)}`, `      ${record.problem.reason}`);
    if (record.acknowledged) lines.push(`      acknowledged by ${record.acknowledged.by.name} at ${utc(record.acknowledged.at)}`);
    if (record.snoozed && record.snoozed.until > now) lines.push(`      snoozed by ${record.snoozed.by.name} until ${utc(record.snoozed.until)}`);
  }
  if (state.outbox.length > 0) {
    const failing = state.outbox.filter((item) => item.attempts > 0);
    lines.push('', `Messages waiting to be sent: ${state.outbox.length}${failing.length ? ` (${failing.length} failed before; last error: ${failing.at(-1)!.lastError})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
