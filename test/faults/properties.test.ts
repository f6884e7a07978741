/**
 * Property-based tests of the two parsers that take text from outside: the query parser (what
 * anyone types after /restorepoints) and the record parser (what an appliance sends). Random
 * input never throws, and always ends in a message within Slack's limits, with no raw mention
 * (`<!channel>`, `<@U…>`) getting through, as judged by the independent checker
 * (test/support/slack-limits.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerQuery, type AnswerTimes } from '../../src/restore-points/answer.ts';
import type { RestorePoint, Workload, WorkloadKind } from '../../src/restore-points/model.ts';
import { parseQuery } from '../../src/restore-points/query.ts';
import { needsTimeZone, resolveTime } from '../../src/restore-points/query-time.ts';
import { DEFAULT_STALE_POLICY, policyOf } from '../../src/restore-points/stale-policy.ts';
import { summarisePoints } from '../../src/restore-points/summarise.ts';
import type { Summary } from '../../src/restore-points/summary.ts';
import { renderAnswer } from '../../src/slack/blocks/answer.ts';
import type { SlackMessage } from '../../src/slack/blocks/message.ts';
import { renderDigest } from '../../src/slack/blocks/digest.ts';
import { renderOverview } from '../../src/slack/blocks/overview.ts';
import { renderWorkloads } from '../../src/slack/blocks/workloads.ts';
import { createWorkloadInterner, toRestorePoint } from '../../src/veeam/to-domain.ts';
import { slackLimitViolations } from '../support/slack-limits.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const HOUR = 3_600_000;

/** Names an attacker (or an unlucky admin) could give a VM, an appliance, a destination. */
const HOSTILE = [
  '<!channel>',
  '<!here|here>',
  '<!everyone>',
  '<@U0ADMIN>',
  '<#C0GENERAL|general>',
  '<https://evil.example|click>',
  '&lt;!channel&gt;',
  '&amp;lt;!here&amp;gt;',
  '<!date^1^{date}|x>',
  '<!subteam^S123>',
  '*bold* _it_ ~s~ `code`',
  '```block```',
  '> quote',
  'a\nb\r\nc',
  '\u0000\u0007',
  '🎉'.repeat(40),
  'x'.repeat(400),
  'ZÃ¼rich',
  '',
  ' ',
];

const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 10 })).map(([a, b]) => `${b}${a}${b}`) },
);

/** Destinations as real appliances spell them, and as hostile or absurd ones might (1,000 characters). */
const destinations = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Snapshot', 'AzureBlob', 'ManualSnapshot', '<!channel>', '&lt;!here&gt;', '*bold* `x`', '', ' ', 'D'.repeat(1000)) },
  { weight: 1, arbitrary: hostileText },
);

/** The message must be postable: no violation of Slack's limits or of the bot's own rules (no raw mention). */
function expectPostable(message: SlackMessage, what: string): void {
  const violations = slackLimitViolations({ text: message.text, blocks: message.blocks });
  if (violations.length > 0) throw new Error(`${what}: ${violations.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// A fixed summary to ask questions of: two appliances, one down, names that try to ping.

function fixedSummary(): Summary {
  const intern = createWorkloadInterner();
  const workloads: Workload[] = [
    ...['vm-sql-01', 'vm-web-01', 'vm-web-02', 'vm-app-01'].map((name) => intern('vm', name)),
    ...HOSTILE.filter((name) => name.trim() !== '').map((name) => intern('vm', name)),
    intern('sql', 'sql-weu-01/erp'),
  ];
  const points: RestorePoint[] = [];
  workloads.forEach((workload, index) => {
    for (let round = 0; round < 8; round++) {
      points.push({
        appliance: 'weu',
        id: `p-${index}-${round}`,
        workload,
        pointInTime: NOW - (round + 1 + (index % 4 === 3 ? 48 : 0)) * HOUR,
        sizeBytes: round % 5 === 4 ? null : (index + 1) * 2 ** 30,
        destination: ['Snapshot', 'AzureBlob', index % 3 === 0 ? '<!channel>' : 'ManualSnapshot'][round % 3]!,
        type: round % 2 ? 'Incremental' : 'Full',
        corrupted: round === 0 && index % 5 === 0,
        immutableUntil: null,
        jobSessionId: index % 2 ? `<!here>-${round}` : `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      });
    }
  });
  return {
    generatedAt: new Date(NOW).toISOString(),
    appliances: [
      summarisePoints(points, DEFAULT_STALE_POLICY, NOW, { name: 'weu', url: 'https://weu.example.com', apiVersion: 'v8.1', error: null, skipped: 2 }),
      summarisePoints([], DEFAULT_STALE_POLICY, NOW, {
        name: '<!channel> eastus',
        url: 'https://eastus.example.com',
        apiVersion: null,
        error: 'Cannot reach <!here> eastus.example.com: the connection was refused. <@U0ADMIN> check VEEAM_URL.',
        skipped: 0,
      }),
    ],
  };
}

const SUMMARY = fixedSummary();

describe('the query parser: any text → parseQuery → answerQuery → renderAnswer', () => {
  const keywordish = [
    'help', 'HELP', 'stale', 'share', 'before', 'in', 'on', 'Snapshot', 'azureblob', '<!channel>', 'weu', 'eastus', 'vm-sql-01', 'vm', 'sql',
    '09:30', '9:30', '23:59:59', '24:00', '2026-11-25', '2026-11-25T09:30', '2026-11-25 09:30', '2026-11-25T09:30+01:00', '2026-02-30',
    '1969-12-31', '3h', '90m', '2d', '1d12h', '0s', '9999d', '-3h', '&lt;!here&gt;', '&amp;', '<@U0ADMIN>', '<#C1|x>', '<https://x|y>', '*', '`', '>',
  ];
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...keywordish, ...HOSTILE) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  );
  const separator = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u3000');
  const texts = fc.oneof(
    fc.tuple(fc.array(token, { maxLength: 80 }), separator).map(([words, sep]) => words.join(sep)),
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: 'binary-ascii', minLength: 1900, maxLength: 4000 }),
  );
  const zones = fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Pacific/Apia', 'America/St_Johns'), fc.string({ maxLength: 20 }));

  it('never throws, and every answer is postable', () => {
    fc.assert(
      fc.property(texts, zones, (text, zone) => {
        const query = parseQuery(text);
        const asOf = query.before === null ? null : resolveTime(query.before, NOW, needsTimeZone(query.before) ? zone : 'UTC');
        const times: AnswerTimes = { now: NOW, asOf };
        const answer = answerQuery(query, SUMMARY, times);
        expectPostable(renderAnswer(answer), `${JSON.stringify(text.slice(0, 80))} → ${answer.kind}`);
      }),
      { numRuns: Number(process.env.FAULT_RUNS ?? 1500) },
    );
  });

  it('never lets what was typed ping anyone, even when it names a hostile workload', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HOSTILE, 'stale', 'in', 'on', 'before', 'share'), { minLength: 1, maxLength: 6 }), (words) => {
        const answer = answerQuery(parseQuery(words.join(' ')), SUMMARY, { now: NOW, asOf: null });
        expectPostable(renderAnswer(answer), words.join(' '));
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The record parser: any records → toRestorePoint → summarise → every renderer

describe('the record parser: any records → toRestorePoint → summarise → render', () => {
  const anyValue = fc.oneof(
    { weight: 3, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.constantFrom('2026-11-26T07:00:00Z', '2026-11-26T07:00:00.123Z', '2026-11-28T07:00:00+01:00', '2020-02-30T00:00:00Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z') },
    { weight: 1, arbitrary: fc.constantFrom('Snapshot', 'AzureBlob', 'ManualSnapshot', 'Corrupted', 'Ok', '1073741824', '-5', '9'.repeat(25)) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const fields = ['id', 'pointInTime', 'backupSizeBytes', 'sizeInBytes', 'backupDestination', 'type', 'isCorrupted', 'state', 'jobSessionId', 'immutableTill', 'vmName', 'databaseName', 'sqlServerName', 'fileShareName', 'accountName'] as const;
  /** Mostly records that would be read (an id and a time), with hostile values anywhere else. */
  const usable = fc.record({
    id: fc.oneof(fc.uuid(), hostileText.filter((text) => text.length > 0)),
    pointInTime: fc.integer({ min: NOW - 400 * 24 * HOUR, max: NOW + 3 * 24 * HOUR }).map((ms) => new Date(ms).toISOString()),
    backupSizeBytes: fc.oneof(fc.integer({ min: -10, max: 2 ** 42 }), fc.constantFrom('1073741824', '-1', 'lots', null)),
    backupDestination: destinations,
    vmName: hostileText,
    databaseName: hostileText,
    sqlServerName: hostileText,
    fileShareName: hostileText,
    accountName: hostileText,
    jobSessionId: fc.oneof(fc.uuid(), hostileText, fc.integer()),
    isCorrupted: fc.oneof(fc.boolean(), anyValue),
    state: fc.oneof(fc.constantFrom('Ok', 'Corrupted'), anyValue),
    type: anyValue,
    _links: fc.oneof(fc.constant(undefined), fc.record({ BackupJob: fc.record({ href: hostileText.map((tail) => `https://a/api/v1/jobSessions/${tail}`) }) })),
  }, { requiredKeys: ['id', 'pointInTime'] });
  const arbitraryRecord = fc.record(Object.fromEntries(fields.map((field) => [field, anyValue])), { requiredKeys: [] });
  const few = fc.array(fc.oneof({ weight: 4, arbitrary: usable }, { weight: 1, arbitrary: arbitraryRecord }, { weight: 1, arbitrary: fc.anything() }), { maxLength: 40 });
  /** Many workloads with long hostile names: the messages must be cut, never broken. */
  const many = fc.array(usable, { minLength: 150, maxLength: 300 });
  const kinds = fc.constantFrom<WorkloadKind>('vm', 'sql', 'fileShare', 'cosmosDb');
  const policies = fc.constantFrom(DEFAULT_STALE_POLICY, policyOf([{ destination: '<!channel>', seconds: 3600 }, { destination: 'Snapshot', seconds: null }]));

  const property = (records: fc.Arbitrary<unknown[]>) =>
    fc.property(records, kinds, hostileText, policies, (raws, kind, applianceName, policy) => {
        const intern = createWorkloadInterner();
        const points: RestorePoint[] = [];
        let skipped = 0;
        for (const raw of raws) {
          const converted = toRestorePoint(raw, kind, applianceName, intern);
          if (converted.ok) points.push(converted.point);
          else {
            skipped++;
            expect(typeof converted.reason).toBe('string');
          }
        }
        const appliance = summarisePoints(points, policy, NOW, { name: applianceName || 'appliance', url: 'https://a.example.com', apiVersion: 'v8.1', error: null, skipped });
        expect(appliance.restorePoints + skipped).toBe(raws.length);
        const summary: Summary = { generatedAt: new Date(NOW).toISOString(), appliances: [appliance, SUMMARY.appliances[1]!] };
        const times = { now: NOW, asOf: null };

        expectPostable(renderOverview(summary, { title: 'Restore points', staleOnly: false, times }), 'overview');
        expectPostable(renderOverview(summary, { title: 'Stale restore points', staleOnly: true, times: { now: NOW, asOf: NOW - HOUR } }), 'stale overview');
        expectPostable(renderDigest(summary, NOW, 'Europe/Berlin'), 'digest');
        const names = appliance.workloads.map((workload) => workload.name);
        const asked = [...names.slice(0, 3), ...appliance.destinations.slice(0, 2).map((d) => `in ${d.destination}`), '', 'stale', 'vm'];
        for (const text of asked) {
          const answer = answerQuery(parseQuery(text), summary, times);
          expectPostable(renderAnswer(answer), `answer to ${JSON.stringify(text)}`);
          if (answer.kind === 'workloads') expectPostable(renderWorkloads(answer), `workloads for ${JSON.stringify(text)}`);
        }
        // Every name matched directly, whatever it holds (the query parser would refuse some).
        if (appliance.workloads.length > 0) {
          const answer = {
            kind: 'workloads' as const,
            summary,
            names: names.slice(0, 5),
            matches: appliance.workloads.map((workload) => ({ appliance: appliance.name, workload })),
            staleOnly: false,
            times,
            unnamed: [],
          };
          expectPostable(renderWorkloads(answer), 'every workload');
        }
      });

  it('never throws, and every message rendered from a few records is postable, with no raw mention', () => {
    fc.assert(property(few), { numRuns: Number(process.env.FAULT_RUNS ?? 300) });
  });

  it('cuts the messages of many hostile workloads to fit, without a raw mention', () => {
    fc.assert(property(many), { numRuns: Number(process.env.FAULT_RUNS ?? 20) });
  });
});
