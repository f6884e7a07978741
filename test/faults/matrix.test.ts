/**
 * The fault matrix: each row is one way a real appliance or Slack misbehaves, and what must come
 * of it. Every row runs through the real layers: the Veeam client over HTTP against the
 * simulator, the real bot on Bolt's HTTP receiver with signed requests and the fake Slack, the
 * digest through sendDigest. For each row the test checks what the user sees (the Slack message,
 * or the digest's outcome per channel), that nothing crashed (the bot still answers, and vitest
 * fails on any unhandled rejection), and that no good data was lost (the points read before a
 * failure are still counted, a point with a bad size keeps its place…).
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplianceReading } from '../../src/appliances/reader.ts';
import { Fleet } from '../../src/appliances/fleet.ts';
import type { ApplianceConfig } from '../../src/config/load.ts';
import type { PostOutcome } from '../../src/digest/post.ts';
import { sendDigest } from '../../src/digest/send.ts';
import { silentLogger } from '../../src/log.ts';
import { slackClientOptions } from '../../src/slack/app.ts';
import { demoDataset, pointsDataset, rawDataset, simUuid, type Dataset, type SimPoint } from '../../src/simulator/dataset.ts';
import { startSimulator, type SimAnswer, type SimRequest, type Simulator } from '../../src/simulator/server.ts';
import type { RetryPolicy } from '../../src/veeam/transport.ts';
import { applianceFor, BOT_TOKEN, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { captureLogger } from '../support/log-capture.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';
import { eventCallbackBody, slashCommandBody, TEST_CHANNEL_ID, TEST_USER_ID } from '../support/slack-signing.ts';
import { closedPort, makeTestCa, rawVmRecord, type TestCa } from '../support/veeam.ts';
import { pageOf, sendJson, startHostileAppliance, type HostileAppliance, type HostileHandler } from '../support/hostile-appliance.ts';
import { simulatedAppliance } from '../../src/simulator/demo-appliance.ts';

const NOW = Date.now();
const HOUR = 3_600_000;
const GIB = 1024 ** 3;
const FORM = 'application/x-www-form-urlencoded';
/** Pages of ten: the fifty points of an appliance come in five pages. */
const PAGE = 10;
const POINTS = 50;
/** Quick retries, but a Retry-After of a second or two is honoured as asked. */
const RETRY: RetryPolicy = { limit: 2, baseDelayMs: 5, backoffLimitMs: 20, maxRetryAfterMs: 3000 };
/** A request that has not answered by then has timed out (the hung page of the timeout row). */
const REQUEST_TIMEOUT_MS = 400;

let slack: FakeSlack;
let ca: TestCa;
const simulators: Simulator[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
  ca = await makeTestCa();
});
afterAll(async () => {
  for (const sim of simulators) sim.faults.intercept = null;
  await Promise.all(simulators.map((sim) => sim.close()));
  await slack.close();
});

// ---------------------------------------------------------------------------------------------
// Data

/** Fifty VM points, one an hour going back from an hour ago, over five VMs and two destinations, 1 GiB each. */
function vmPoints(count = POINTS, at = (index: number) => NOW - (index + 1) * HOUR): SimPoint[] {
  return Array.from({ length: count }, (_, index) => ({
    id: simUuid(0xfa17, index),
    kind: 'vm' as const,
    workload: `vm-${index % 5}`,
    pointInTime: at(index),
    sizeBytes: GIB,
    destination: index % 2 === 0 ? 'Snapshot' : 'AzureBlob',
    type: 'Full' as const,
    corrupted: false,
    jobSessionId: `session-${index}`,
    region: 'westeurope',
  }));
}

/** The same points as raw v8.1 records, for rows that serve records the simulator would not make. */
function vmRecords(count = POINTS): Array<Record<string, unknown>> {
  return vmPoints(count).map(rawVmRecord);
}

const isVmPage = (request: SimRequest) => request.method === 'GET' && request.path.endsWith('/restorePoints/virtualMachines');
const offsetOf = (request: SimRequest) => Number(request.query.get('Offset') ?? 0);

async function simulator(dataset: Dataset = pointsDataset(vmPoints()), options: Partial<Parameters<typeof startSimulator>[0]> = {}): Promise<Simulator> {
  const sim = await startSimulator({ dataset, ...options });
  simulators.push(sim);
  return sim;
}

// ---------------------------------------------------------------------------------------------
// What a user sees

interface Shown {
  /** Every text of the message, top-level and blocks, one per line. */
  readonly text: string;
  readonly message: Record<string, unknown>;
}

function shown(message: Record<string, unknown>): Shown {
  const texts: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') texts.push(inner);
        else visit(inner);
      }
    }
  };
  if (typeof message['text'] === 'string') texts.push(message['text']);
  visit(message['blocks']);
  return { text: texts.join('\n'), message };
}

// ---------------------------------------------------------------------------------------------
// Appliance faults: a slash command to the real bot, whose one appliance misbehaves

interface ApplianceRow {
  readonly fault: string;
  /** The appliance as this row breaks it. */
  readonly appliance: () => Promise<{ config: ApplianceConfig; sim?: Simulator }>;
  /** What the user must read in the answer. */
  readonly sees: readonly RegExp[];
  readonly neverSees?: readonly RegExp[];
  /** What the bot read: points kept (none lost), bytes, the reading's error. */
  readonly reading: { readonly points: number; readonly error: RegExp | null; readonly totalBytes?: number; readonly skipped?: number };
  /** Bounds on how long the answer took (a Retry-After honoured; a loop that would never end). */
  readonly tookMs?: { readonly min?: number; readonly max?: number };
  /** Further checks on the simulator (renewals, logins). */
  readonly after?: (sim: Simulator) => void;
}

async function healthy(dataset?: Dataset): Promise<{ config: ApplianceConfig; sim: Simulator }> {
  const sim = await simulator(dataset);
  return { config: applianceFor(sim), sim };
}

const applianceRows: readonly ApplianceRow[] = [
  {
    fault: 'connection refused',
    appliance: async () => ({ config: { ...applianceFor(await simulator()), url: `http://127.0.0.1:${await closedPort()}` } }),
    sees: [/🔴 1 appliance unreachable/, /\*weu\* could not be read: Cannot reach 127\.0\.0\.1:\d+: the connection was refused\. Check the appliance URL \(VEEAM_URL/],
    reading: { points: 0, error: /the connection was refused/ },
  },
  {
    fault: 'DNS failure (a host name that cannot resolve)',
    appliance: async () => ({ config: { ...applianceFor(await simulator()), url: 'https://restorepoints-nonexistent.invalid' } }),
    sees: [/🔴 1 appliance unreachable/, /Cannot reach restorepoints-nonexistent\.invalid: the host name does not resolve\. Check the appliance URL \(VEEAM_URL/],
    reading: { points: 0, error: /the host name does not resolve/ },
  },
  {
    fault: 'TLS mismatch: a trusted certificate issued for another name',
    // Served on 127.0.0.2, which the certificate (127.0.0.1, localhost) does not name.
    appliance: async () => {
      const sim = await simulator(undefined, { host: '127.0.0.2', tls: { key: ca.keyPem, cert: ca.certPem } });
      return { config: { ...applianceFor(sim), caPem: ca.caPem }, sim };
    },
    sees: [/The certificate of 127\.0\.0\.2:\d+ is not trusted \(ERR_TLS_CERT_ALTNAME_INVALID\): trust the appliance certificate with VEEAM_CA_FILE/],
    reading: { points: 0, error: /ERR_TLS_CERT_ALTNAME_INVALID/ },
    after: (sim) => expect(sim.stats.requests).toBe(0),
  },
  {
    fault: 'TLS mismatch: a certificate from a CA the bot was not told to trust',
    appliance: async () => {
      const sim = await simulator(undefined, { tls: { key: ca.keyPem, cert: ca.certPem } });
      return { config: { ...applianceFor(sim), caPem: ca.otherCaPem }, sim };
    },
    sees: [/is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*VEEAM_CA_FILE.*VEEAM_TLS_INSECURE=true/],
    reading: { points: 0, error: /not trusted/ },
  },
  {
    fault: 'timeout mid-page (one page never answers)',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.intercept = (request) => (isVmPage(request) && offsetOf(request) === 3 * PAGE ? { status: 200, body: { results: [] }, delayMs: 5000 } : undefined);
      return { config, sim };
    },
    sees: [/could not be read: 127\.0\.0\.1:\d+ did not answer in time\./, /What was read before the failure \(40 restore points\) is shown below/],
    // The four other pages were read before the one that hung gave up: their forty points count.
    reading: { points: 40, error: /did not answer in time/ },
  },
  {
    fault: '401 in the middle of paging (the token revoked)',
    appliance: async () => {
      const { config, sim } = await healthy();
      let revoked = false;
      sim.faults.intercept = (request) => {
        if (!revoked && isVmPage(request) && offsetOf(request) === 2 * PAGE) {
          revoked = true;
          sim.revokeAccessTokens(); // this request and those after it meet a 401
        }
        return undefined;
      };
      return { config, sim };
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points · 50 GiB/],
    reading: { points: POINTS, error: null, totalBytes: POINTS * GIB },
    after: (sim) => {
      expect(sim.stats.refreshes).toBe(1);
      expect(sim.stats.passwordLogins).toBe(1);
    },
  },
  {
    fault: 'refresh token refused (after a 401 mid-paging)',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.refuseRefresh = true;
      let revoked = false;
      sim.faults.intercept = (request) => {
        if (!revoked && isVmPage(request) && offsetOf(request) === 2 * PAGE) {
          revoked = true;
          sim.revokeAccessTokens();
        }
        return undefined;
      };
      return { config, sim };
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points/],
    reading: { points: POINTS, error: null },
    // The refused refresh falls back to a fresh login.
    after: (sim) => expect(sim.stats.passwordLogins).toBe(2),
  },
  {
    fault: '429 with Retry-After: 1',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.failNext(1, { status: 429, retryAfterSeconds: 1, path: /virtualMachines/ });
      return { config, sim };
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points/],
    reading: { points: POINTS, error: null },
    tookMs: { min: 950 },
  },
  {
    fault: '503 with Retry-After: 1',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.failNext(1, { status: 503, retryAfterSeconds: 1, path: /virtualMachines/ });
      return { config, sim };
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points/],
    reading: { points: POINTS, error: null },
    tookMs: { min: 950 },
  },
  {
    fault: '503 with Retry-After that outlasts the retries',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.failNext(10, { status: 503, retryAfterSeconds: 0, path: /virtualMachines/ });
      return { config, sim };
    },
    sees: [/could not be read: 127\.0\.0\.1:\d+ failed with 503: Simulated failure: The simulator was told to fail this request with 503/],
    reading: { points: 0, error: /failed with 503/ },
  },
  {
    fault: '500 with a non-JSON body',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.failNext(10, { status: 500, body: '<html><body>Internal Server Error</body></html>', contentType: 'text/html', path: /virtualMachines/ });
      return { config, sim };
    },
    // The body is quoted, escaped: it reaches Slack as text, never as markup.
    sees: [/could not be read: 127\.0\.0\.1:\d+ failed with 500: Internal Server Error: &lt;html&gt;&lt;body&gt;Internal Server Error/],
    neverSees: [/<html>/],
    reading: { points: 0, error: /failed with 500/ },
  },
  {
    fault: 'a truncated JSON page, once (asked again)',
    appliance: async () => {
      const { config, sim } = await healthy();
      let truncated = false;
      sim.faults.intercept = (request) => {
        if (truncated || !isVmPage(request) || offsetOf(request) !== 2 * PAGE) return undefined;
        truncated = true;
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"offset":20,"limit":10,"totalCount":50,"results":[{"id":"x","pointIn' };
      };
      return { config, sim };
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points/],
    reading: { points: POINTS, error: null },
  },
  {
    fault: 'a truncated JSON page, every time',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.intercept = (request) =>
        isVmPage(request) && offsetOf(request) === 2 * PAGE
          ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{"offset":20,"limit":10,"totalCount":50,"results":[{"id":"x","pointIn' }
          : undefined;
      return { config, sim };
    },
    sees: [/could not be read: 127\.0\.0\.1:\d+ sent a response that is not valid JSON\./, /What was read before the failure \(40 restore points\)/],
    reading: { points: 40, error: /not valid JSON/ },
  },
  {
    fault: 'problem+json 403 with licenseAgreementAcceptanceRequired',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.intercept = (request) =>
        request.path.startsWith('/api/v')
          ? {
              status: 403,
              headers: { 'content-type': 'application/problem+json' },
              body: { type: 'https://httpstatuses.io/403', title: 'Forbidden', status: 403, licenseAgreementAcceptanceRequired: true },
            }
          : undefined;
      return { config, sim };
    },
    sees: [/refuses API calls until its license agreement is accepted: sign in to the appliance web UI once and accept the license agreement \(Forbidden\)/],
    reading: { points: 0, error: /license agreement/ },
  },
  {
    fault: 'a page larger than asked',
    appliance: async () => {
      const records = vmRecords();
      const sim = await simulator(rawDataset(records));
      // Asked for ten, the server sends fifteen (and says it served fifteen).
      sim.faults.intercept = (request) => {
        if (!isVmPage(request)) return undefined;
        const offset = offsetOf(request);
        const results = records.slice(offset, offset + 15);
        return { status: 200, body: { offset, limit: 15, totalCount: records.length, results, _links: {} } } satisfies SimAnswer;
      };
      return { config: applianceFor(sim), sim };
    },
    sees: [/50 restore points · 50 GiB/],
    reading: { points: POINTS, error: null, totalBytes: POINTS * GIB },
  },
  {
    fault: 'a repeated page: the server ignores Offset (total known)',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.ignoreOffset = true;
      return { config, sim };
    },
    sees: [/The read of weu is incomplete: restorePoints\/virtualMachines: the appliance sent the same page again for Offset=10 \(it ignores paging\), so the read stopped after 10 records/],
    reading: { points: PAGE, error: /same page again/ },
    tookMs: { max: 5000 },
  },
  {
    fault: 'a repeated page: the server ignores Offset (no total)',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.ignoreOffset = true;
      sim.faults.nullTotalCount = true;
      return { config, sim };
    },
    sees: [/incomplete: .*same page again for Offset=10/],
    reading: { points: PAGE, error: /same page again/ },
    tookMs: { max: 5000 },
  },
  {
    fault: 'duplicate restore point ids across pages',
    appliance: async () => {
      // The last page repeats points 5…14 (a collection that shifted while it was paged): no
      // page repeats another whole, so this is not a server ignoring Offset.
      const records = vmRecords();
      return healthy(rawDataset([...records.slice(0, 40), ...records.slice(5, 15)]));
    },
    sees: [/40 restore points · 40 GiB/],
    reading: { points: 40, error: null, totalBytes: 40 * GIB },
  },
  {
    fault: 'a point dated in the future',
    appliance: async () => healthy(pointsDataset(vmPoints(POINTS, (index) => (index === 0 ? NOW + 2 * 24 * HOUR : NOW - (index + 1) * HOUR)))),
    // Changed deliberately (issue 11, DESIGN "The future"): counted, but never the latest, so it
    // cannot hide staleness: the latest Snapshot is the newest point of the past (3h ago).
    // The summary's warning names the clock, in Slack too (the line of the appliance's notes).
    sees: [/✅ \*Snapshot\* · 3h ago/, /50 restore points/, /dated more than 10 minutes in the future/],
    reading: { points: POINTS, error: null },
  },
  {
    fault: 'sizes as strings and negative numbers',
    appliance: async () => {
      const [a, b, c, d] = vmRecords(4);
      return healthy(
        rawDataset([
          { ...a, backupSizeBytes: '1073741824' },
          { ...b, backupSizeBytes: -5 },
          { ...c, backupSizeBytes: '12 GB' },
          { ...d, backupSizeBytes: 2 * GIB },
        ]),
      );
    },
    // All four points count; the string size counts as bytes; the negative and garbage ones are unknown.
    sees: [/4 restore points · 3 GiB/, /unknown size/],
    reading: { points: 4, error: null, totalBytes: 3 * GIB, skipped: 0 },
  },
  {
    fault: 'records without an id or a readable time among good ones',
    appliance: async () => {
      const records = vmRecords(5);
      return healthy(rawDataset([...records, { pointInTime: records[0]!['pointInTime'] }, { ...records[1], id: 'bad-time', pointInTime: 'yesterday' }]));
    },
    sees: [/5 restore points/, /2 unreadable records skipped/],
    reading: { points: 5, error: null, skipped: 2 },
  },
];

// Issue 11: the appliance side under real faults.
const hostiles: HostileAppliance[] = [];
afterAll(async () => {
  await Promise.all(hostiles.map((appliance) => appliance.close()));
});

/** A hostile appliance serving the fifty points in pages as asked, with `fault` first in line. */
async function hostileWithPoints(fault: HostileHandler): Promise<{ config: ApplianceConfig }> {
  const records = vmRecords();
  const appliance = await startHostileAppliance(async (request, response, raw) => {
    if (await fault(request, response, raw)) return true;
    if (!request.path.endsWith('/restorePoints/virtualMachines')) return false;
    const offset = Number(request.query.get('Offset') ?? 0);
    const limit = Number(request.query.get('Limit') ?? 100);
    sendJson(response, 200, pageOf(records.slice(offset, offset + limit), { offset, limit, totalCount: records.length }));
    return true;
  });
  hostiles.push(appliance);
  return { config: simulatedAppliance(appliance.url, 'weu', { apiVersion: 'v8.1' }) };
}

const issue11Rows: readonly ApplianceRow[] = [
  {
    fault: 'a 307 on the login, to another host',
    appliance: () => hostileWithPoints((request, response) => {
      if (request.path !== '/api/oauth2/token') return false;
      response.writeHead(307, { location: 'https://elsewhere.invalid/api/oauth2/token' }).end();
      return true;
    }),
    sees: [/could not be read: 127\.0\.0\.1:\d+ answered 307 redirecting to "https:\/\/elsewhere\.invalid\/api\/oauth2\/token"; the bot never follows a redirect/],
    reading: { points: 0, error: /never follows a redirect/ },
  },
  {
    fault: 'a 302 on a restore-point page, to another host',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.intercept = (request) =>
        isVmPage(request) && offsetOf(request) === 2 * PAGE ? { status: 302, headers: { location: 'http://127.0.0.9:1/steal' } } : undefined;
      return { config, sim };
    },
    sees: [/answered 302 redirecting to "http:\/\/127\.0\.0\.9:1\/steal"/, /What was read before the failure/],
    reading: { points: 40, error: /302 redirecting/ },
  },
  {
    fault: 'a short first page with a huge totalCount',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.intercept = (request) => {
        if (!isVmPage(request) || offsetOf(request) !== 0) return undefined;
        return { status: 200, body: { offset: 0, limit: PAGE, totalCount: 2_147_483_647, results: vmRecords().slice(0, PAGE) } } satisfies SimAnswer;
      };
      return { config, sim };
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points/],
    reading: { points: POINTS, error: null },
    tookMs: { max: 10_000 },
    // Five pages of data and a few empty ones, not a hundred thousand.
    after: (sim) => expect(sim.stats.gets.get('/api/v8.1/restorePoints/virtualMachines')).toBeLessThanOrEqual(5 + 4),
  },
  {
    fault: 'pages larger than MAX_PAGE_BYTES',
    appliance: async () => {
      const sim = await simulator();
      return { config: applianceFor(sim, 'weu', { maxPageBytes: 2048 }), sim };
    },
    sees: [/could not be read: 127\.0\.0\.1:\d+ sent an answer to v8\.1\/restorePoints\/virtualMachines larger than 2048 bytes \(MAX_PAGE_BYTES\)/],
    reading: { points: 0, error: /MAX_PAGE_BYTES/ },
  },
  {
    fault: 'a connection reset in the middle of a page body, once',
    appliance: async () => {
      let cut = false;
      return hostileWithPoints((request, response, raw) => {
        if (cut || !request.path.endsWith('/virtualMachines') || request.query.get('Offset') !== String(2 * PAGE)) return false;
        cut = true;
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        response.write('{"offset":20,"limit":10,"totalCount":50,"results":[{"id":', () => raw.socket.destroy());
        return true;
      });
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points/],
    reading: { points: POINTS, error: null },
  },
  {
    fault: 'tokens that stop working after three calls, four pages in flight',
    appliance: async () => {
      const { config, sim } = await healthy();
      const uses = new Map<string, number>();
      sim.faults.intercept = (request) => {
        if (!request.path.startsWith('/api/v')) return undefined;
        const token = request.headers.authorization ?? '';
        const count = (uses.get(token) ?? 0) + 1;
        uses.set(token, count);
        return count > 3 ? { status: 401, body: { title: 'Unauthorized', status: 401 } } : undefined;
      };
      return { config, sim };
    },
    sees: [/✅ All fresh · 2 destinations · 50 restore points/],
    reading: { points: POINTS, error: null },
    after: (sim) => expect(sim.stats.passwordLogins).toBe(1),
  },
  {
    fault: 'the same id in the VM and the SQL collections',
    appliance: async () => {
      const points = vmPoints();
      const sql: SimPoint = { ...points[0]!, kind: 'sql', workload: 'orders', server: 'sql-1' };
      return healthy(pointsDataset([...points, sql]));
    },
    sees: [/51 restore points/],
    reading: { points: POINTS + 1, error: null },
  },
  {
    fault: 'an appliance slower than READ_TIMEOUT',
    appliance: async () => {
      const sim = await simulator();
      // Pages from Offset=30 hang past the deadline (the per-request timeout would take longer).
      sim.faults.intercept = (request) => (isVmPage(request) && offsetOf(request) >= 3 * PAGE ? { status: 200, body: { results: [] }, delayMs: 5000 } : undefined);
      return { config: applianceFor(sim, 'weu', { readTimeoutMs: 900 }), sim };
    },
    sees: [/The read of weu is incomplete: it did not finish within 900 ms \(READ_TIMEOUT\)/, /30 restore points/],
    reading: { points: 30, error: /READ_TIMEOUT/ },
    tookMs: { max: 10_000 },
  },
  {
    fault: 'Cosmos DB continuous points (no backupDestination)',
    appliance: async () => {
      const { config, sim } = await healthy();
      sim.faults.intercept = (request) =>
        request.method === 'GET' && request.path.endsWith('/cosmosDb/continuous')
          ? { status: 200, body: { offset: 0, limit: 1, totalCount: 1, results: [{ id: simUuid(0xc05, 1), type: 'Continuous', accountName: 'cosmos-orders', pointInTime: new Date(NOW - HOUR).toISOString() }] } }
          : undefined;
      return { config, sim };
    },
    sees: [/Continuous/, /51 restore points/],
    neverSees: [/Unknown/],
    reading: { points: POINTS + 1, error: null },
  },
];

describe('issue 11: the appliance side under real faults, through a slash command to the real bot', () => {
  it.each(issue11Rows.map((row) => [row.fault, row] as const))('%s', async (_fault, row) => runApplianceRow(row));

  it('a point dated in the future: the summary names the clock, and the point never hides staleness', async () => {
    const sim = await simulator(pointsDataset(vmPoints(3, (index) => (index === 0 ? NOW + 2 * 24 * HOUR : NOW - 3 * 24 * HOUR))));
    const fleet = Fleet.fromConfig([applianceFor(sim)], { cacheTtlMs: 0, logger: silentLogger(), client: { retry: RETRY, pageSize: PAGE } });
    try {
      const [appliance] = (await fleet.summary()).appliances;
      expect(appliance!.restorePoints).toBe(3);
      expect(appliance!.warning).toMatch(/^1 restore point is dated more than 10 minutes in the future .*the appliance's clock or data looks wrong/);
      expect(appliance!.destinations.find((d) => d.destination === 'Snapshot')).toMatchObject({ stale: true });
    } finally {
      await fleet.close();
    }
  });
});

describe('appliance faults, through a slash command to the real bot', () => {
  it.each(applianceRows.map((row) => [row.fault, row] as const))('%s', async (_fault, row) => runApplianceRow(row));
});

async function runApplianceRow(row: ApplianceRow): Promise<void> {
  {
    const { config, sim } = await row.appliance();
    const fleet = Fleet.fromConfig([config], {
      cacheTtlMs: 0,
      logger: silentLogger(),
      client: { requestTimeoutMs: REQUEST_TIMEOUT_MS, retry: RETRY, pageSize: PAGE, parallelism: 4 },
    });
    const running = await startTestBot(testConfig(slack, [config]), { fleet });
    try {
      const started = performance.now();
      const answer = await command(running, '');
      const took = performance.now() - started;

      // What the user sees.
      for (const pattern of row.sees) expect(answer.text).toMatch(pattern);
      for (const pattern of row.neverSees ?? []) expect(answer.text).not.toMatch(pattern);
      if (row.tookMs?.min !== undefined) expect(took).toBeGreaterThanOrEqual(row.tookMs.min);
      if (row.tookMs?.max !== undefined) expect(took).toBeLessThan(row.tookMs.max);

      // No good data lost: what the bot read.
      const reading = fleet.readers[0]!.last as ApplianceReading;
      expect(reading.tally.points).toBe(row.reading.points);
      if (row.reading.error === null) expect(reading.error).toBeNull();
      else expect(reading.error).toMatch(row.reading.error);
      if (row.reading.totalBytes !== undefined) expect(reading.tally.bytes).toBe(row.reading.totalBytes);
      if (row.reading.skipped !== undefined) expect(reading.skipped).toBe(row.reading.skipped);
      if (sim) row.after?.(sim);

      // Nothing crashed: the bot still takes requests.
      expect((await fetch(`http://127.0.0.1:${running.bot.port}/healthz`)).status).toBe(200);
    } finally {
      if (sim) sim.faults.intercept = null;
      await running.stop();
    }
  }
}

async function command(running: RunningTestBot, text: string, responseUrl = slack.responseUrl('fault')): Promise<Shown> {
  const acked = await running.post(slashCommandBody({ text, response_url: responseUrl }), FORM);
  expect(acked.status).toBe(200);
  await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl && post.status === 200), 10_000, `an answer at ${responseUrl}`);
  const answer = slack.responses.find((post) => post.url === responseUrl && post.status === 200)!;
  expectWithinSlackLimits(answer.body);
  return shown(answer.body);
}

// ---------------------------------------------------------------------------------------------
// Slack faults: the answer to a command, and the digest

interface SlackRow {
  readonly fault: string;
  readonly via: 'command' | 'digest' | 'mention';
  /** Breaks Slack for this row; gets the row's response_url (commands) or channels (digest). */
  readonly breakSlack: (target: { responseUrl: string; channels: readonly string[] }) => void;
  /** Command rows: how the answer reached the user. Digest rows: each channel's outcome. */
  readonly expected:
    | { readonly deliveredBy: 'response_url' | 'chat.postEphemeral' }
    | { readonly outcomes: ReadonlyArray<Partial<PostOutcome>>; readonly waits?: readonly number[] }
    | { readonly logged: RegExp };
}

const slackRows: readonly SlackRow[] = [
  {
    fault: 'expired response_url',
    via: 'command',
    breakSlack: ({ responseUrl }) => slack.expireResponseUrl(responseUrl),
    expected: { deliveredBy: 'chat.postEphemeral' },
  },
  {
    fault: 'response_url answers invalid_blocks',
    via: 'command',
    breakSlack: ({ responseUrl }) => slack.script(responseUrl, { status: 400, body: 'invalid_blocks' }),
    expected: { deliveredBy: 'chat.postEphemeral' },
  },
  {
    fault: 'Slack 429 on the response_url',
    via: 'command',
    breakSlack: ({ responseUrl }) => slack.script(responseUrl, { status: 429, headers: { 'Retry-After': '1' }, body: 'rate_limited' }),
    expected: { deliveredBy: 'chat.postEphemeral' },
  },
  {
    fault: 'Slack 429 with Retry-After on a digest post',
    via: 'digest',
    breakSlack: () => slack.script('chat.postMessage', { status: 429, headers: { 'Retry-After': '3' } }),
    expected: { outcomes: [{ ok: true, tries: 2, error: null }], waits: [3000] },
  },
  {
    fault: 'Slack 429 on every try of a digest post',
    via: 'digest',
    breakSlack: () =>
      slack.script('chat.postMessage', ...Array.from({ length: 3 }, () => ({ status: 429, headers: { 'Retry-After': '1' } }))),
    expected: { outcomes: [{ ok: false, error: 'ratelimited', tries: 3, fix: 'Slack kept rate-limiting the bot: the digest will go out at the next schedule' }], waits: [1000, 1000] },
  },
  {
    fault: 'invalid_blocks on a digest post (the other channel still gets it)',
    via: 'digest',
    breakSlack: () => slack.script('chat.postMessage', { body: { ok: false, error: 'invalid_blocks', errors: ['simulated'] } }),
    expected: {
      outcomes: [
        { ok: false, error: 'invalid_blocks', fix: 'Slack refused the message layout (a bug: please report it)' },
        { ok: true, error: null },
      ],
    },
  },
  {
    fault: 'channel_not_found on a digest post (the other channel still gets it)',
    via: 'digest',
    breakSlack: ({ channels }) => slack.setChannel(channels[0]!, { exists: false }),
    expected: {
      outcomes: [
        {
          ok: false,
          error: 'channel_not_found',
          fix: "check the channel ID in DIGEST_CHANNELS or the appliance's digestChannels (in Slack: the channel name → About → Channel ID; names do not work); a private channel is invisible to the bot until it is invited: invite the bot (/invite @restorepoints)",
        },
        { ok: true, error: null },
      ],
    },
  },
  {
    fault: 'channel_not_found when answering a mention',
    via: 'mention',
    breakSlack: ({ channels }) => slack.setChannel(channels[0]!, { exists: false }),
    expected: { logged: /could not answer in the thread \(is the bot in the channel\?\)/ },
  },
];

describe('Slack faults', () => {
  let sim: Simulator;
  let running: RunningTestBot;
  const capture = captureLogger('info');
  let channelCounter = 0;

  beforeAll(async () => {
    sim = await simulator(demoDataset({ now: NOW }));
    running = await startTestBot(testConfig(slack, [applianceFor(sim)]), { logger: capture.logger });
  });
  afterAll(async () => {
    await running.stop();
  });

  it.each(slackRows.map((row) => [row.fault, row] as const))('%s', async (_fault, row) => {
    const channels = [`CFAULT${String(++channelCounter).padStart(4, '0')}`, `CFAULT${String(++channelCounter).padStart(4, '0')}`];
    const responseUrl = slack.responseUrl('slack-fault');
    row.breakSlack({ responseUrl, channels });
    const expected = row.expected;

    if (row.via === 'command' && 'deliveredBy' in expected) {
      const before = slack.callsTo('chat.postEphemeral').length;
      const acked = await running.post(slashCommandBody({ text: 'vm-sql-01', response_url: responseUrl }), FORM);
      expect(acked.status).toBe(200);
      // The response_url refused the answer…
      await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 10_000, 'the answer tried at the response_url');
      expect(slack.responses.filter((post) => post.url === responseUrl).map((post) => post.status)).toEqual([expect.any(Number)]);
      expect(slack.responses.find((post) => post.url === responseUrl)!.status).toBeGreaterThanOrEqual(400);
      // …and the user still gets it, through the Web API, only to them.
      await slack.waitFor(() => slack.callsTo('chat.postEphemeral').length > before, 10_000, 'the answer through chat.postEphemeral');
      const call = slack.callsTo('chat.postEphemeral')[before]!;
      expect(call.status).toBe(200);
      expect(call.body['user']).toBe(TEST_USER_ID);
      expect(call.body['channel']).toBe(TEST_CHANNEL_ID);
      expectWithinSlackLimits(call.body);
      expect(shown(call.body).text).toMatch(/vm-sql-01/);
    } else if (row.via === 'digest' && 'outcomes' in expected) {
      const waits: number[] = [];
      const run = await sendDigest({
        fleet: running.fleet,
        client: new webApi.WebClient(BOT_TOKEN, slackClientOptions({ botToken: BOT_TOKEN, signingSecret: null, appToken: null, apiUrl: slack.apiUrl }, 0, 5000)),
        channels: channels.slice(0, expected.outcomes.length),
        appliances: [applianceFor(sim)],
        timeZone: 'UTC',
        now: Date.now,
        logger: silentLogger(),
        posting: {
          sleep: async (ms) => {
            waits.push(ms);
          },
        },
      });
      expect(run.outcomes).toHaveLength(expected.outcomes.length);
      expected.outcomes.forEach((outcome, index) => expect(run.outcomes[index]).toMatchObject({ channel: channels[index], ...outcome }));
      if (expected.waits) expect(waits).toEqual(expected.waits);
      // Whatever was posted is a whole digest within Slack's limits.
      for (const call of slack.callsTo('chat.postMessage').filter((c) => channels.includes(String(c.body['channel'])) && c.status === 200)) {
        expectWithinSlackLimits(call.body);
        expect(shown(call.body).text).toMatch(/Restore points digest/);
      }
    } else if (row.via === 'mention' && 'logged' in expected) {
      const event = { type: 'app_mention', user: TEST_USER_ID, text: '<@UBOT> stale', ts: `1764150${channelCounter}.000100`, channel: channels[0], event_ts: `1764150${channelCounter}.000100` };
      expect((await running.post(eventCallbackBody(event), 'application/json')).status).toBe(200);
      await slack.waitFor(() => capture.lines.some((line) => expected.logged.test(line.msg)), 10_000, 'the failure logged');
      const failed = slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === channels[0]);
      expect(failed.map((call) => call.response)).toEqual([expect.objectContaining({ ok: false, error: 'channel_not_found' })]);
    } else {
      throw new Error(`row ${row.fault} pairs ${row.via} with the wrong expectation`);
    }
    // Nothing crashed: the bot still answers.
    expect((await fetch(`http://127.0.0.1:${running.bot.port}/healthz`)).status).toBe(200);
  });
});
