/** Block Kit rendering, pure: fixed summaries and a fixed now, every message checked against Slack's limits. */
import { describe, expect, it } from 'vitest';
import type { JobSession, RestorePoint } from '../../src/restore-points/model.ts';
import { parseQuery } from '../../src/restore-points/query.ts';
import { answerQuery } from '../../src/restore-points/answer.ts';
import { DEFAULT_STALE_POLICY, parseStalePolicy, type StalePolicy } from '../../src/restore-points/stale-policy.ts';
import { summarisePoints } from '../../src/restore-points/summarise.ts';
import type { Summary } from '../../src/restore-points/summary.ts';
import { renderAnswer } from '../../src/slack/blocks/answer.ts';
import { BlockBudget, blockChars, listWithin } from '../../src/slack/blocks/budget.ts';
import { LIMITS, truncate } from '../../src/slack/blocks/limits.ts';
import { section } from '../../src/slack/blocks/message.ts';
import { renderDigest } from '../../src/slack/blocks/digest.ts';
import { renderHelp } from '../../src/slack/blocks/help.ts';
import { code, escape, slackDate } from '../../src/slack/blocks/mrkdwn.ts';
import { renderOverview } from '../../src/slack/blocks/overview.ts';
import { parseSessionValue, sessionButton, shortSessionId } from '../../src/slack/blocks/session-button.ts';
import { renderSession, renderSessionProblem } from '../../src/slack/blocks/session.ts';
import { renderSummaryTable } from '../../src/terminal/summary-table.ts';
import { restorePoint, vm } from '../support/points.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const HOUR = 3_600_000;
const times = { now: NOW, asOf: null };

function point(name: string | null, destination: string, agoHours: number, extra: Partial<RestorePoint> = {}): RestorePoint {
  return restorePoint({ appliance: 'weu', workload: vm(name), pointInTime: NOW - agoHours * HOUR, sizeBytes: 136367309312, destination, ...extra });
}

function summaryOf(...appliances: Array<{ name: string; points: RestorePoint[]; error?: string; policy?: StalePolicy }>): Summary {
  return {
    generatedAt: new Date(NOW).toISOString(),
    appliances: appliances.map(({ name, points, error, policy }) =>
      summarisePoints(points, policy ?? DEFAULT_STALE_POLICY, NOW, { name, url: `https://${name}.example.com`, apiVersion: error ? null : 'v8.1', error: error ?? null, skipped: 0 }),
    ),
  };
}

const fresh = () => [point('vm-a', 'Snapshot', 2), point('vm-a', 'AzureBlob', 3), point('vm-b', 'Snapshot', 2), point('vm-b', 'AzureBlob', 4)];

describe('mrkdwn', () => {
  it('escapes the three control characters, so a name never pings', () => {
    expect(escape('<!channel> & <@U123>')).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(code('a`b<c>')).toBe("`a'b&lt;c&gt;`");
  });

  it('renders times as date tokens with a UTC fallback', () => {
    expect(slackDate(Date.parse('2026-11-26T07:45:10Z'))).toBe('<!date^1795679110^{date_short_pretty} {time}|2026-11-26 07:45 UTC>');
  });
});

describe('budget', () => {
  it('cuts text without breaking an escape or a date token', () => {
    expect(truncate('abc &amp; def', 7)).toBe('abc…');
    expect(truncate(`x ${slackDate(NOW)} y`, 20)).toBe('x…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('lists what fits and says how many were left out', () => {
    const items = Array.from({ length: 100 }, (_, i) => `item-${i}`);
    const { text, omitted } = listWithin(items, 200);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(omitted).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`…and ${omitted} more — narrow it with \`/restorepoints NAME\`$`));
    expect(listWithin(['a', 'b'], 200)).toEqual({ text: 'a\nb', omitted: 0 });
  });

  it('refuses a group that would break the block or character budget, keeping room for the closing note', () => {
    const budget = new BlockBudget({ blocks: 1, chars: 100 });
    for (let i = 0; i < 60; i++) budget.add(section(`line ${i}`));
    expect(budget.omitted).toBe(11);
    const blocks = budget.finish(section('closing'));
    expect(blocks).toHaveLength(LIMITS.blocks);
    const big = new BlockBudget();
    expect(big.add(section('x'.repeat(2900)), section('y'.repeat(2900)), section('z'.repeat(2900)))).toBe(true);
    expect(big.add(section('w'.repeat(2900)))).toBe(false);
    expect(blockChars(section('abc'))).toBe(3);
  });
});

describe('session buttons', () => {
  it('say what they open and carry the appliance', () => {
    // Issue 13: the label says what the button opens (not "Snapshot · session 5e551000").
    const button = sessionButton({ appliance: 'weu', session: '5e551000-0000-4000-8000-000000000037' }, 'Error · Gold-VMs · 02:00 UTC', 3)!;
    expect(button.text.text).toBe('Error · Gold-VMs · 02:00 UTC');
    expect(button.action_id).toBe('open_session:3');
    expect(parseSessionValue(button.value)).toEqual({ appliance: 'weu', session: '5e551000-0000-4000-8000-000000000037' });
    expect(shortSessionId('37')).toBe('37');
  });

  it('are left out rather than broken when the reference cannot fit, and bad values parse to null', () => {
    expect(sessionButton({ appliance: 'a', session: 'x'.repeat(3000) }, 'Snapshot', 0)).toBeNull();
    for (const value of [undefined, 'nope', '{}', '{"a":"x","s":""}', '[1]', 'null', '{"a":"x","s":"."}', '{"a":"x","s":".."}', '{"a":"x","s":"../auth"}', '{"a":"x","s":"a/b"}', '{"a":"x","s":"37?x=1"}', '{"a":"x","s":" 37"}']) expect(parseSessionValue(value)).toBeNull();
  });
});

describe('overview', () => {
  it('says all fresh, with counts, a section per appliance and a button per latest point', () => {
    const message = renderOverview(summaryOf({ name: 'weu', points: fresh() }), { title: 'Restore points', staleOnly: false, times });
    expectWithinSlackLimits(message);
    expect(message.text).toBe('✅ All fresh · 2 destinations · 4 restore points · 508 GiB');
    const flat = JSON.stringify(message.blocks);
    expect(flat).toContain('✅ *Snapshot* · 2h ago · <!date^');
    expect(flat).toContain('127 GiB · `vm-a` · 2 points');
    const buttons = message.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as { elements: Array<{ text: { text: string } }> }).elements);
    // Issue 13: each button says whose session it opens and when that point was made.
    expect(buttons.map((b) => b.text.text)).toEqual([expect.stringMatching(/^Snapshot session · \d{2}:\d{2} UTC$/), expect.stringMatching(/^AzureBlob session · \d{2}:\d{2} UTC$/)]);
    // Thresholds as they were written: the default 26h, not "1d 2h" (issue 16).
    expect(flat).toContain('Stale after: Snapshot 26h · AzureBlob 26h');
  });

  it('shows thresholds as STALE_AFTER wrote them', () => {
    const policy = parseStalePolicy('Snapshot=36h,AzureBlob=2d,ManualSnapshot=90m').policy;
    const message = renderOverview(summaryOf({ name: 'weu', points: fresh(), policy }), { title: 'Restore points', staleOnly: false, times });
    const flat = JSON.stringify(message.blocks);
    expect(flat).toContain('Stale after: Snapshot 36h · AzureBlob 2d · ManualSnapshot 90m');
  });

  it('puts problems first and is never green while an appliance cannot be read', () => {
    const message = renderOverview(
      summaryOf({ name: 'weu', points: [...fresh(), point('vm-old', 'Snapshot', 40)] }, { name: 'eus', points: [], error: 'Cannot reach eus: the connection was refused.' }),
      { title: 'Restore points', staleOnly: false, times },
    );
    expectWithinSlackLimits(message);
    expect(message.text.split('\n')[0]).toBe('🔴 1 appliance unreachable · 1 stale workload · 2 destinations · 5 restore points · 635 GiB');
    expect(message.text).toContain('eus: Cannot reach eus');
    expect(message.text).toContain('Stale: vm-old');
    const texts = message.blocks.map((b) => JSON.stringify(b));
    const at = (needle: string) => texts.findIndex((t) => t.includes(needle));
    expect(at('*eus* 🔴 could not be read · *weu* ⚠️ 1 stale')).toBe(2);
    expect(at('could not be read: Cannot reach')).toBeLessThan(at('*Stale*'));
    expect(at('*Stale*')).toBeLessThan(at('*weu* · ⚠️'));
  });

  it('keeps the admin\'s fix out of the notification text: the channel gets the fact, the blocks keep the fix', () => {
    const errors = {
      refused: 'Cannot reach eus:443: the connection was refused. Check the appliance URL (VEEAM_URL, or url in RESTOREPOINTS_CONFIG) and that the appliance is up.',
      tls: 'The certificate of eus:443 is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): trust the appliance certificate with VEEAM_CA_FILE (or caFile), or, only if you accept the risk, set VEEAM_TLS_INSECURE=true.',
      forbidden: 'eus:443 denied access: Forbidden; give the account a role that can read restore points and sessions.',
    };
    const facts = {
      refused: 'eus: Cannot reach eus:443: the connection was refused.',
      tls: 'eus: The certificate of eus:443 is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT).',
      forbidden: 'eus: eus:443 denied access: Forbidden.',
    };
    for (const kind of ['refused', 'tls', 'forbidden'] as const) {
      const message = renderOverview(summaryOf({ name: 'weu', points: fresh() }, { name: 'eus', points: [], error: errors[kind] }), { title: 'Digest', staleOnly: false, times });
      expect(message.text.split('\n')).toContain(facts[kind]);
      expect(message.text).not.toMatch(/VEEAM_|caFile|give the account/);
      expect(JSON.stringify(message.blocks)).toContain(errors[kind].slice(-40));
    }
  });

  it('shows only what is stale when asked, or says nothing is', () => {
    const staleOnly = renderOverview(summaryOf({ name: 'weu', points: fresh() }), { title: 'Stale restore points', staleOnly: true, times });
    expect(JSON.stringify(staleOnly.blocks)).toContain('✅ Nothing is stale');
    expect(staleOnly.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('shows ages from the time asked and from now for `before`', () => {
    const asOf = NOW - HOUR;
    const summary: Summary = {
      generatedAt: new Date(NOW).toISOString(),
      appliances: [summarisePoints(fresh(), DEFAULT_STALE_POLICY, asOf, { name: 'weu', url: 'https://weu', apiVersion: 'v8.1', error: null, skipped: 0 })],
    };
    const flat = JSON.stringify(renderOverview(summary, { title: 'Before', staleOnly: false, times: { now: NOW, asOf } }).blocks);
    expect(flat).toContain('1h before the time asked · 2h ago');
    expect(flat).toContain(`at or before ${slackDate(asOf)}`);
  });

  it('keeps thirty appliances and three hundred stale workloads within the limits', () => {
    const appliances = Array.from({ length: 30 }, (_, a) => ({
      name: `appliance-${a}`,
      points: Array.from({ length: 10 }, (_, i) => point(`vm-${a}-${i}-with-a-long-name`, i % 2 ? 'Snapshot' : 'AzureBlob', 50)),
    }));
    const message = renderOverview(summaryOf(...appliances), { title: 'Restore points', staleOnly: false, times });
    expectWithinSlackLimits(message);
    const flat = JSON.stringify(message.blocks);
    expect(flat).toMatch(/…and \d+ more appliances — narrow it with `\/restorepoints on NAME`/);
    expect(flat).toMatch(/…and \d+ more — narrow it with `\/restorepoints NAME`/);
    expect(message.text).toMatch(/^⚠️ 60 stale destinations · 300 stale workloads/);
  });

  it('escapes hostile appliance, destination and workload names everywhere', () => {
    const message = renderDigest(
      summaryOf({ name: '<!channel>', points: [point('<!here>', '<@U1>', 50), point('a&b', 'Snapshot', 1)] }),
      NOW,
      'Europe/Berlin',
    );
    expectWithinSlackLimits(message);
    const shown = JSON.stringify(message, (key, value: unknown) => (key === 'value' ? undefined : value));
    expect(shown).not.toMatch(/<!(channel|here)|<@U1>/);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(message.blocks[0])).toContain('Restore points digest · Thu 26 Nov');
  });
});

describe('answers', () => {
  const summary = summaryOf(
    { name: 'weu', points: [...fresh(), point('vm-sql-01', 'Snapshot', 30), point('vm-sql-01', 'AzureBlob', 1, { corrupted: true }), point('vm-sql-01', 'AzureBlob', 20)] },
    { name: 'legacy', points: [point(null, 'Snapshot', 1)] },
  );
  const answer = (text: string) => answerQuery(parseQuery(text), summary, times);

  it('finds workloads by part of their name, with recent points and corrupted ones marked', () => {
    const result = answer('SQL');
    expect(result.kind).toBe('workloads');
    const message = renderAnswer(result);
    expectWithinSlackLimits(message);
    expect(message.text).toBe('1 workload matches `SQL` · ⚠️ 1 stale\nStale: vm-sql-01');
    const flat = JSON.stringify(message.blocks);
    expect(flat).toContain('⚠️ Snapshot · 1d 6h ago');
    expect(flat).toContain('❌ corrupted');
    expect(flat).toContain('legacy: this API version does not name workloads');
  });

  it('narrows to a destination and an appliance, and names what it does not know', () => {
    const inBlob = answer('in azureblob');
    expect(inBlob.kind === 'overview' && inBlob.summary.appliances[0]!.destinations.map((d) => d.destination)).toEqual(['AzureBlob']);
    expect(answer('on LEG')).toMatchObject({ kind: 'overview', summary: { appliances: [{ name: 'legacy' }] } });
    expect(answer('in Tape')).toMatchObject({ kind: 'not-found', what: 'destination', known: ['Snapshot', 'AzureBlob'] });
    expect(answer('on mars')).toMatchObject({ kind: 'not-found', what: 'appliance', known: ['weu', 'legacy'] });
    // The legacy appliance cannot name workloads, so "none" is not a certain answer: it says so.
    expect(renderAnswer(answer('vm-zzz')).text).toBe('No workload matches `vm-zzz`');
    const named = summaryOf({ name: 'weu', points: fresh() });
    expect(renderAnswer(answerQuery(parseQuery('vm-zzz'), named, times)).text).toBe('No workload called vm-zzz.');
  });

  it('names the words it ignored and says how a keyword was read', () => {
    const withShare = summaryOf({ name: 'weu', points: [...fresh(), point('share-finance', 'Snapshot', 2)] });
    const ignored = renderAnswer(answerQuery(parseQuery('vm-a frobnicate'), withShare, times));
    expectWithinSlackLimits(ignored);
    expect(ignored.text).toContain('Ignored: frobnicate');
    expect(JSON.stringify(ignored.blocks)).toContain('Ignored `frobnicate`: no workload name contains it. The words I know: `help`, `stale`, `share`');
    const shared = renderAnswer(answerQuery(parseQuery('share'), withShare, times));
    expect(shared.text).toMatch(/^1 workload matches `share`/);
    expect(JSON.stringify(shared.blocks)).toContain('`share` was read two ways: as the keyword (the answer is posted in the channel) and as part of a workload name.');
  });

  it('says which instant `before` was read as', () => {
    const asOf = NOW - 3 * HOUR;
    const message = renderAnswer(answerQuery(parseQuery('vm-a before 3h'), summaryOf({ name: 'weu', points: fresh() }), { now: NOW, asOf }));
    expect(JSON.stringify(message.blocks)).toContain(`The latest usable points at or before <!date^${asOf / 1000}^`);
  });

  it('answers help and problems without reading anything', () => {
    const message = renderHelp(parseQuery('before <!channel> vm').problems);
    expectWithinSlackLimits(message);
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt;');
  });
});

describe('session details', () => {
  const session: JobSession = {
    appliance: 'weu',
    id: '5e551000-0000-4000-8000-000000000037',
    type: 'PolicyBackup',
    localizedType: 'Backup',
    status: 'Warning',
    startedAt: NOW - 2 * HOUR,
    stoppedAt: NOW - HOUR,
    durationMs: HOUR + 192_000,
    policyName: 'Nightly <backup>',
    protectedInstances: 1204,
  };

  it('shows status, policy, type, start, duration, protected instances and a link to the appliance', () => {
    const message = renderSession(session, 'https://vba.example.com');
    expectWithinSlackLimits(message);
    const flat = JSON.stringify(message.blocks);
    expect(flat).toContain('⚠️ *Warning* · Nightly &lt;backup&gt;');
    expect(flat).toContain('*Type*\\nBackup (PolicyBackup)');
    expect(flat).toContain(`*Started*\\n${slackDate(NOW - 2 * HOUR)}`);
    expect(flat).toContain('*Duration*\\n1h 3m');
    expect(flat).toContain('*Protected instances*\\n1,204');
    expect(flat).toContain('"url":"https://vba.example.com"');
    expect(message.text).toBe('Warning: Nightly &lt;backup&gt; on weu (session 5e551000-0000-4000-8000-000000000037)');
  });

  it('copes with an unknown status and missing facts', () => {
    const message = renderSession({ ...session, status: 'Exploded', durationMs: null, stoppedAt: null, startedAt: null, policyName: null, protectedInstances: null }, 'https://x');
    expectWithinSlackLimits(message);
    expect(JSON.stringify(message.blocks)).toContain('❔ *Exploded* · Backup');
    expect(JSON.stringify(message.blocks)).toContain('still running');
    expectWithinSlackLimits(renderSessionProblem('Job session <!channel> no longer exists.'));
  });
});

describe('edge cases the fault tests found', () => {
  // Issue 11 (DESIGN "The future"): a point more than 10 minutes ahead is never the latest, so the
  // latest that is dated in the future is at most 10 minutes ahead (clock skew): 8 minutes here.
  it('says a point dated in the future is in the future, not "… ago"', () => {
    const message = renderAnswer(answerQuery(parseQuery(''), summaryOf({ name: 'weu', points: [point('vm-a', 'Snapshot', -8 / 60)] }), times));
    expect(JSON.stringify(message.blocks)).toContain('in the future (8m ahead: check the appliance clock) · <!date^');
    expect(JSON.stringify(message.blocks)).not.toMatch(/appliance clock\) ago/);
  });

  it('writes times before 1970 as plain text: Slack’s date token takes none', () => {
    expect(slackDate(Date.parse('1969-01-01T00:00:00Z'))).toBe('1969-01-01 00:00 UTC');
    const asked = parseQuery('before 36000d');
    const asOf = NOW - 36_000 * 86_400_000;
    const summary: Summary = { generatedAt: '', appliances: [summarisePoints([], DEFAULT_STALE_POLICY, asOf, { name: 'weu', url: 'u', apiVersion: 'v8.1', error: null, skipped: 0 })] };
    expectWithinSlackLimits(renderAnswer(answerQuery(asked, summary, { now: NOW, asOf })));
  });

  it('cuts a closing note that would not fit (three destinations of a thousand characters)', () => {
    const points = Array.from({ length: 300 }, (_, i) => point(`vm-${i}`, i < 3 ? `${'D'.repeat(1000)}${i}` : 'Snapshot', 1));
    const summary = summaryOf({ name: 'weu', points }, { name: 'eastus', points: [], error: 'down' });
    expectWithinSlackLimits(renderAnswer(answerQuery(parseQuery('vm'), summary, times)));
  });
});

describe('an appliance whose data looks wrong', () => {
  it('says so in Slack and in the terminal, and does not call future points corrupted', () => {
    const summary = summaryOf({ name: 'weu', points: [point('vm-a', 'Snapshot', 2), point('vm-z', 'AzureBlob', -72)] });
    const message = renderOverview(summary, { title: 'Restore points', staleOnly: false, times });
    expectWithinSlackLimits(message);
    const flat = JSON.stringify(message.blocks);
    expect(flat).toContain('dated more than 10 minutes in the future');
    expect(flat).toContain('no usable point (corrupted, or dated in the future)');
    expect(flat).not.toContain('all corrupted');
    const workloads = renderAnswer(answerQuery(parseQuery('vm-z'), summary, times));
    expectWithinSlackLimits(workloads);
    expect(JSON.stringify(workloads.blocks)).toContain('dated in the future');
    expect(renderSummaryTable(summary, 'UTC')).toContain("the appliance's clock or data looks wrong");
  });
});
