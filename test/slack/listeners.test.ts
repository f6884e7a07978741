/** The listeners are plain functions: called here with stub Slack arguments and a stub appliance. */
import { describe, expect, it } from 'vitest';
import { ApplianceReader } from '../../src/appliances/reader.ts';
import { Fleet } from '../../src/appliances/fleet.ts';
import { silentLogger } from '../../src/log.ts';
import type { RestorePointSource } from '../../src/restore-points/source.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import type { SlackDeps } from '../../src/slack/deps.ts';
import { EVENT_RETENTION_MS, MemoryEventClaims, SharedEventClaims } from '../../src/slack/event-deduplication.ts';
import { answerCommand, type CommandArgs } from '../../src/slack/listeners/commands.ts';
import { mentionWords } from '../../src/slack/listeners/events.ts';
import { UserZones } from '../../src/slack/user-zones.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');

function depsRecording(events: string[]): SlackDeps {
  const source: RestorePointSource = {
    knownApiVersion: 'v8.1',
    async readRestorePoints(onPoint) {
      events.push('read');
      onPoint({ appliance: 'weu', id: 'p1', workload: { kind: 'vm', name: 'vm-a' }, pointInTime: NOW - 3_600_000, sizeBytes: 1, destination: 'Snapshot', type: null, corrupted: false, immutableUntil: null, jobSessionId: 's1' });
      return { apiVersion: 'v8.1', skipped: 0, duplicates: 0, incomplete: null };
    },
    getJobSession: async () => null,
    identify: async () => ({ apiVersion: 'v8.1', serverVersion: null }),
    close: async () => undefined,
  };
  const reader = new ApplianceReader({ name: 'weu', url: 'https://weu', source, policy: DEFAULT_STALE_POLICY, cacheTtlMs: 0, logger: silentLogger(), now: () => NOW });
  return {
    fleet: new Fleet([reader], { now: () => NOW }),
    userZones: new UserZones(silentLogger(), () => NOW),
    eventClaims: new MemoryEventClaims(() => NOW),
    logger: silentLogger(),
    now: () => NOW,
  };
}

function commandArgs(text: string, events: string[], options: { respondFails?: boolean } = {}): CommandArgs {
  const posted: Array<[string, Record<string, unknown>]> = [];
  return {
    command: { text, user_id: 'U1', channel_id: 'C1', response_url: 'https://hooks.slack.test/x' },
    ack: async () => {
      events.push('ack');
    },
    respond: async (message: unknown) => {
      events.push(`respond:${(message as { response_type: string }).response_type}`);
      if (options.respondFails) throw new Error('An API error occurred: expired_url');
      return undefined as never;
    },
    client: {
      chat: {
        postEphemeral: async (args: Record<string, unknown>) => {
          events.push('postEphemeral');
          posted.push(['postEphemeral', args]);
          return { ok: true };
        },
        postMessage: async (args: Record<string, unknown>) => {
          events.push('postMessage');
          posted.push(['postMessage', args]);
          return { ok: true };
        },
      },
      users: { info: async () => ({ user: { tz: 'Europe/Berlin' } }) },
    },
  } as unknown as CommandArgs;
}

describe('answerCommand', () => {
  it('acks before it reads anything, then answers ephemerally', async () => {
    const events: string[] = [];
    await answerCommand(commandArgs('', events), depsRecording(events));
    expect(events).toEqual(['ack', 'read', 'respond:ephemeral']);
  });

  it('answers in the channel when asked to share', async () => {
    const events: string[] = [];
    await answerCommand(commandArgs('share', events), depsRecording(events));
    expect(events.at(-1)).toBe('respond:in_channel');
  });

  it('falls back to the Web API when response_url refuses: ephemeral, or in the channel when shared', async () => {
    const events: string[] = [];
    await answerCommand(commandArgs('', events, { respondFails: true }), depsRecording(events));
    expect(events).toEqual(['ack', 'read', 'respond:ephemeral', 'postEphemeral']);
    const shared: string[] = [];
    await answerCommand(commandArgs('share', shared, { respondFails: true }), depsRecording(shared));
    expect(shared.at(-1)).toBe('postMessage');
  });

  it('answers help without reading the appliance', async () => {
    const events: string[] = [];
    await answerCommand(commandArgs('help', events), depsRecording(events));
    expect(events).toEqual(['ack', 'respond:ephemeral']);
  });
});

describe('mentionWords', () => {
  it('drops every mention of the bot and keeps the words', () => {
    expect(mentionWords('<@UBOT> vm-a before 09:30', 'UBOT')).toBe('vm-a before 09:30');
    expect(mentionWords('hey <@UBOT|restorepoints>, stale please <@UBOT>', 'UBOT')).toBe('hey  , stale please');
    expect(mentionWords('<@UBOT> <@UOTHER> x', 'UBOT')).toBe('<@UOTHER> x');
  });
});

describe('event claims', () => {
  it('let an event id through once within the retention window', async () => {
    let now = NOW;
    const claims = new MemoryEventClaims(() => now);
    expect(await claims.claim('Ev1')).toBe(true);
    expect(await claims.claim('Ev1')).toBe(false);
    expect(await claims.claim('Ev2')).toBe(true);
    now += EVENT_RETENTION_MS + 1;
    expect(await claims.claim('Ev1')).toBe(true);
  });

  it('share claims between replicas, and answer anyway when the shared store fails', async () => {
    const taken = new Set<string>();
    const store = { shouldRun: async (key: string) => (taken.has(key) ? false : (taken.add(key), true)) };
    expect(await new SharedEventClaims(store).claim('Ev9')).toBe(true);
    expect(await new SharedEventClaims(store).claim('Ev9')).toBe(false);
    const broken = new SharedEventClaims({ shouldRun: async () => { throw new Error('redis down'); } });
    expect(await broken.claim('Ev10')).toBe(true);
    expect(await broken.claim('Ev10')).toBe(false);
  });
});

describe('UserZones', () => {
  it('asks users.info once per user and falls back to UTC on failure or nonsense', async () => {
    let asked = 0;
    const zones = new UserZones(silentLogger(), () => NOW);
    const client = { users: { info: async ({ user }: { user: string }) => (asked++, { user: { tz: user === 'UX' ? 'Not/AZone' : 'Asia/Kolkata' } }) } };
    expect(await Promise.all([zones.zoneOf('U1', client), zones.zoneOf('U1', client)])).toEqual(['Asia/Kolkata', 'Asia/Kolkata']);
    expect(await zones.zoneOf('U1', client)).toBe('Asia/Kolkata');
    expect(asked).toBe(1);
    expect(await zones.zoneOf('UX', client)).toBe('UTC');
    const failing = { users: { info: async () => { throw new Error('missing_scope'); } } };
    expect(await zones.zoneOf('U2', failing)).toBe('UTC');
  });
});
