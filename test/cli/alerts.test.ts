/** `restorepoints alerts [--json]`: the open problems, acknowledgements and snoozes from the saved state; and the alert variables. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemKey, type Problem } from '../../src/alerts/problems.ts';
import { click, EMPTY_STATE, observe } from '../../src/alerts/transitions.ts';
import { main } from '../../src/cli.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { renderDigestText } from '../../src/terminal/digest-text.ts';
import { captureIo } from '../support/io.ts';

const NOW = Date.parse('2026-11-26T10:00:00Z');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restorepoints-alerts-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function stale(name: string): Problem {
  const workload = { kind: 'vm', id: null, name };
  return { key: problemKey('weu', 'stale', workload, 'Snapshot'), kind: 'stale', appliance: 'weu', workload, destination: 'Snapshot', since: NOW - 3_600_000, reason: 'too old', state: 's', session: null };
}

describe('restorepoints alerts', () => {
  it('says when there is no state yet', async () => {
    const io = captureIo({ STATE_FILE: join(dir, 'none.db') }, () => NOW);
    expect(await main(['node', 'restorepoints', 'alerts'], io)).toBe(0);
    expect(io.out()).toContain('No alert state yet');
  });

  it('prints open problems with who acknowledged and snoozed them, for people and as one JSON document', async () => {
    const file = join(dir, 'state.db');
    const store = openSqliteStore(file);
    await store.update(() => {
      let state = observe(EMPTY_STATE, { problems: [], held: [] }, NOW - 60_000, ['C0ALERTS1'], () => '').state;
      state = observe(state, { problems: [stale('vm-a'), stale('vm-b')], held: [] }, NOW, ['C0ALERTS1'], () => '').state;
      state = click(state, stale('vm-a').key, { id: 'U1', name: 'alice' }, { action: 'acknowledge' }, NOW, ['C0ALERTS1']).state;
      state = click(state, stale('vm-b').key, { id: 'U2', name: 'bob' }, { action: 'snooze', until: NOW + 4 * 3_600_000 }, NOW, ['C0ALERTS1']).state;
      return { value: state, result: null };
    });
    await store.close();

    const text = captureIo({ STATE_FILE: file }, () => NOW);
    expect(await main(['node', 'restorepoints', 'alerts'], text)).toBe(0);
    expect(text.out()).toContain('Open problems (2):');
    expect(text.out()).toContain('vm-a is stale in Snapshot on weu');
    expect(text.out()).toContain('acknowledged by alice');
    expect(text.out()).toContain('snoozed by bob until 2026-11-26 14:00 UTC');
    expect(text.out()).toContain('Messages waiting to be sent');

    const json = captureIo({ STATE_FILE: file }, () => NOW);
    expect(await main(['node', 'restorepoints', 'alerts', '--json'], json)).toBe(0);
    const document = JSON.parse(json.out()) as { problems: Array<{ title: string; acknowledged: unknown; snoozed: unknown }>; pending: unknown[] };
    expect(document.problems.map((problem) => problem.title)).toEqual(['vm-a is stale in Snapshot on weu', 'vm-b is stale in Snapshot on weu']);
    expect(document.problems[0]!.acknowledged).toEqual({ by: { id: 'U1', name: 'alice' }, at: '2026-11-26T10:00:00.000Z' });
    expect(document.problems[1]!.snoozed).toEqual({ by: { id: 'U2', name: 'bob' }, until: '2026-11-26T14:00:00.000Z' });
    expect(document.pending.length).toBeGreaterThan(0);
  });
});

describe('the terminal digest', () => {
  it('lists snoozed problems with who and until when', () => {
    const text = renderDigestText({ generatedAt: new Date(NOW).toISOString(), appliances: [] }, 'UTC', [{ appliance: 'weu', what: 'vm-a is stale in Snapshot on weu', by: 'alice', until: NOW }]);
    expect(text).toContain('Snoozed:\n  z vm-a is stale in Snapshot on weu: by alice until 2026-11-26 10:00 UTC');
  });
});

describe('the alert variables', () => {
  it('default to no channels, a watch every 10 minutes and ./restorepoints-state.db', () => {
    expect(loadConfig({}, { appliances: false, slack: 'none' }).alerts).toEqual({ channels: [], everyMs: 600_000, stateFile: './restorepoints-state.db' });
    expect(loadConfig({ ALERT_CHANNELS: 'C0ALERTS1, C0ALERTS2', WATCH_EVERY: '5m', STATE_FILE: '/var/lib/x.db' }, { appliances: false, slack: 'none' }).alerts).toEqual({
      channels: ['C0ALERTS1', 'C0ALERTS2'],
      everyMs: 300_000,
      stateFile: '/var/lib/x.db',
    });
  });

  it('refuse channel names and durations that are not', () => {
    try {
      loadConfig({ ALERT_CHANNELS: '#alerts', WATCH_EVERY: 'often' }, { appliances: false, slack: 'none' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/ALERT_CHANNELS: "#alerts" is not a channel ID[\s\S]*WATCH_EVERY="often"/);
    }
  });
});
