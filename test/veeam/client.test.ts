/**
 * The Veeam client against the embedded simulator, over real HTTP(S) on loopback: versions,
 * authentication, retries, paging, record parsing, job sessions and TLS.
 */
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RestorePoint } from '../../src/restore-points/model.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { summarisePoints } from '../../src/restore-points/summarise.ts';
import { VeeamError } from '../../src/veeam/errors.ts';
import {
  demoDataset,
  pointsDataset,
  rawDataset,
  recordCount,
  simUuid,
  type SimPoint,
  type SimSession,
} from '../../src/simulator/dataset.ts';
import { APPLIANCE_1_0, APPLIANCE_8_1, type SimAnswer, type SimRequest, type Simulator } from '../../src/simulator/server.ts';
import { clientFor, closeAll, closedPort, makeTestCa, rawVmRecord, readAll, rejection, startSim, type TestCa } from '../support/veeam.ts';

interface SeedDocument {
  readonly totalCount: number;
  readonly results: ReadonlyArray<Record<string, unknown>>;
}
const SEED = JSON.parse(readFileSync(new URL('../fixtures/seed-v1-restore-points.json', import.meta.url), 'utf8')) as SeedDocument;

const HOUR = 3_600_000;
/** A fixed "now" for the demo appliance and the summaries. */
const NOW = Date.parse('2026-11-26T08:00:00Z');
/** Two hours after the seed's newest point. */
const SEED_NOW = Date.parse('2020-02-05T12:48:38Z');

const SEED_SESSION_37: SimSession = {
  id: '37',
  type: 'PolicySnapshot',
  localizedType: 'Snapshot',
  status: 'Success',
  policyName: 'ukwest snapshots',
  protectedInstances: 1,
  start: Date.parse('2020-02-05T10:44:00Z'),
  stop: Date.parse('2020-02-05T10:46:30Z'),
};

afterEach(closeAll);

/** N VM points, newest first, alternating Snapshot / AzureBlob, ids unique. */
function vmPoints(count: number): SimPoint[] {
  return Array.from({ length: count }, (_, index) => ({
    id: simUuid(0x7e57, index),
    kind: 'vm' as const,
    workload: `vm-${index % 5}`,
    pointInTime: NOW - HOUR - index * 60_000,
    sizeBytes: 1024 * (index + 1),
    destination: index % 2 === 0 ? 'Snapshot' : 'AzureBlob',
    type: 'Full' as const,
    corrupted: false,
    jobSessionId: `session-${index}`,
    region: 'westeurope',
  }));
}

/** Raw v8.1-shaped VM records, for simulators whose pages a test serves itself. */
function rawVmRecords(count: number): Array<Record<string, unknown>> {
  return vmPoints(count).map(rawVmRecord);
}

const isVmPage = (request: SimRequest) => request.method === 'GET' && request.path.endsWith('/restorePoints/virtualMachines');
const offsetOf = (request: SimRequest) => Number(request.query.get('Offset') ?? 0);
const limitOf = (request: SimRequest) => Number(request.query.get('Limit') ?? 100);

/** A page answer built by the test, for servers that page in ways the simulator's faults do not cover. */
function pageAnswer(results: readonly unknown[], envelope: { offset: number; limit?: number | null; totalCount: number | null }): SimAnswer {
  return {
    status: 200,
    body: {
      offset: envelope.offset,
      ...(envelope.limit === undefined ? {} : { limit: envelope.limit }),
      totalCount: envelope.totalCount,
      results,
      _links: {},
    },
  };
}

/** Records every request the simulator receives (and lets it through). */
function recordRequests(sim: Simulator): Array<SimRequest & { readonly at: number }> {
  const seen: Array<SimRequest & { readonly at: number }> = [];
  sim.faults.intercept = (request) => {
    seen.push({ ...request, at: performance.now() });
    return undefined;
  };
  return seen;
}

const ids = (points: readonly RestorePoint[]) => points.map((point) => point.id);

function expectVeeamError(error: unknown, kind: VeeamError['kind']): VeeamError {
  expect(error).toBeInstanceOf(VeeamError);
  const veeamError = error as VeeamError;
  expect(veeamError.kind).toBe(kind);
  return veeamError;
}

describe('a v1 appliance (the seed document)', () => {
  const startV1 = () => startSim({ dataset: rawDataset(SEED.results, [SEED_SESSION_37]), versions: APPLIANCE_1_0 });

  it('is detected as v1 and yields the five seed points with their sessions from the links', async () => {
    const sim = await startV1();
    const client = clientFor(sim);
    const { points, report } = await readAll(client);

    expect(report.apiVersion).toBe('v1');
    expect(client.knownApiVersion).toBe('v1');
    expect(report.skipped).toBe(0);
    expect(report.incomplete).toBeNull();
    expect(points).toHaveLength(5);
    expect(points.map((point) => point.jobSessionId)).toEqual(['7', '38', '37', '27', '31']);
    expect(points.every((point) => point.sizeBytes === 136_367_309_312)).toBe(true);
    expect(points.every((point) => point.workload === null && !point.corrupted)).toBe(true);
    expect(points[0]!.pointInTime).toBe(Date.parse('2020-02-03T13:02:39.357Z'));
    // Only the v1 path was read for points, with PascalCase paging parameters.
    expect([...sim.stats.gets.keys()].filter((path) => path.includes('restorePoints'))).toEqual(['/api/v1/restorePoints']);
  });

  it('summarises to the latest point per destination', async () => {
    const sim = await startV1();
    const { points } = await readAll(clientFor(sim));
    const summary = summarisePoints(points, DEFAULT_STALE_POLICY, SEED_NOW);
    const byName = new Map(summary.destinations.map((destination) => [destination.destination, destination]));

    expect(summary.destinations.map((destination) => destination.destination)).toEqual(['Snapshot', 'AzureBlob', 'ManualSnapshot']);
    expect(summary.restorePoints).toBe(5);
    expect(summary.totalBytes).toBe(5 * 136_367_309_312);
    expect(byName.get('ManualSnapshot')!.latest).toMatchObject({ id: '15ed5dd3-c759-4726-9682-be9f9d72a7d5', jobSessionId: '7' });
    expect(byName.get('AzureBlob')!.latest).toMatchObject({ id: '1e1782e9-9921-4e11-980a-77203e9c691a', jobSessionId: '38', ageSeconds: 7199 });
    expect(byName.get('Snapshot')!.latest).toMatchObject({ id: 'cd88a27f-afb0-4bd2-b9e7-bc1bd47252a0', jobSessionId: '37', workload: null });
    expect(byName.get('AzureBlob')!.restorePoints).toBe(3);
    expect(byName.get('Snapshot')!.restorePoints).toBe(1);
    expect(byName.get('ManualSnapshot')!.restorePoints).toBe(1);
    expect(summary.workloads).toEqual([]);
  });
});

describe('a v8.1 appliance', () => {
  const dataset = demoDataset({ now: NOW });
  const counts = {
    vm: recordCount(dataset.collections.vm!),
    sql: recordCount(dataset.collections.sql!),
    fileShare: recordCount(dataset.collections.fileShare!),
  };

  it('is detected as v8.1 and names the VM, SQL and file-share workloads', async () => {
    const sim = await startSim({ dataset, versions: APPLIANCE_8_1 });
    const { points, report } = await readAll(clientFor(sim));

    expect(report.apiVersion).toBe('v8.1');
    expect(report.skipped).toBe(0);
    expect(points).toHaveLength(counts.vm + counts.sql + counts.fileShare);
    const kinds = (kind: string) => points.filter((point) => point.workload?.kind === kind);
    expect(kinds('vm')).toHaveLength(counts.vm);
    expect(kinds('sql')).toHaveLength(counts.sql);
    expect(kinds('fileShare')).toHaveLength(counts.fileShare);
    expect(points.every((point) => point.workload !== null)).toBe(true);
    expect(new Set(kinds('vm').map((point) => point.workload!.name))).toContain('vm-sql-01');
    expect(new Set(kinds('sql').map((point) => point.workload!.name))).toEqual(new Set(['sql-weu-01/erp']));
    expect(new Set(kinds('fileShare').map((point) => point.workload!.name))).toEqual(new Set(['share-finance']));
    // v8.1 points carry their session id directly.
    expect(points.every((point) => typeof point.jobSessionId === 'string' && point.jobSessionId.length > 0)).toBe(true);
    expect(sim.stats.gets.get('/api/v8.1/restorePoints/virtualMachines')).toBe(1);
  });

  it('uses an explicit API version as given', async () => {
    const sim = await startSim({ dataset, versions: APPLIANCE_8_1 });
    const client = clientFor(sim, { apiVersion: 'v7' });
    const { points, report } = await readAll(client);

    expect(report.apiVersion).toBe('v7');
    expect(points).toHaveLength(counts.vm + counts.sql + counts.fileShare);
    const paths = [...sim.stats.gets.keys()];
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((path) => path.startsWith('/api/v7/'))).toBe(true);
    expect(paths).toContain('/api/v7/restorePoints/virtualMachines');
    expect(sim.stats.gets.has('/api/v8.1/system/about')).toBe(false);
  });

  it('says clearly when the appliance does not serve the configured version', async () => {
    const sim = await startSim({ dataset, versions: APPLIANCE_8_1 });
    const client = clientFor(sim, { apiVersion: 'v3' });
    const error = expectVeeamError(await rejection(readAll(client)), 'not-found');

    expect(error.message).toContain('v3');
    expect(error.message).toContain('VEEAM_API_VERSION');
    expect(error.message).toMatch(/auto/);
  });

  it('finds the version once and remembers it across reads', async () => {
    const sim = await startSim({ dataset, versions: APPLIANCE_8_1 });
    const client = clientFor(sim);
    await readAll(client);
    await readAll(client);
    await client.identify();

    expect(sim.stats.gets.get('/api/v8.1/system/about')).toBe(1);
    expect(sim.stats.gets.get('/api/v8.1/restorePoints/virtualMachines')).toBe(2);
    expect(await client.identify()).toEqual({ apiVersion: 'v8.1', serverVersion: '8.1.0.37' });
  });

  it('falls back to /restorePoints for VMs on a v4/v5-style appliance', async () => {
    const sim = await startSim({ dataset, versions: ['v5'] });
    const requests = recordRequests(sim);
    const { points, report } = await readAll(clientFor(sim));

    expect(report.apiVersion).toBe('v5');
    expect(points.filter((point) => point.workload?.kind === 'vm')).toHaveLength(counts.vm);
    expect(points.filter((point) => point.workload?.kind === 'sql')).toHaveLength(counts.sql);
    const vmPaths = requests.map((request) => request.path).filter((path) => /\/api\/v5\/restorePoints(\/virtualMachines)?$/.test(path));
    expect(vmPaths).toEqual(['/api/v5/restorePoints/virtualMachines', '/api/v5/restorePoints']);
  });
});

describe('authentication', () => {
  it('names the fix for a wrong password', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(3)) });
    const client = clientFor(sim, { appliance: { password: 'wrong' } });
    const error = expectVeeamError(await rejection(readAll(client)), 'credentials');

    expect(error.message).toContain('VEEAM_PASSWORD');
    expect(error.message).toContain('VEEAM_USERNAME');
    expect(error.status).toBe(401);
    // A refused login is not retried.
    expect(sim.stats.requests).toBe(1);
  });

  it('tells an MFA account to use a service account without MFA', async () => {
    const sim = await startSim({
      dataset: pointsDataset(vmPoints(3)),
      users: [{ username: 'alice', password: 'secret', mfa: true }],
    });
    const client = clientFor(sim, { appliance: { username: 'alice', password: 'secret' } });
    const error = expectVeeamError(await rejection(readAll(client)), 'mfa');

    expect(error.message).toContain('use a service account without MFA');
    expect(error.message).toContain('alice');
  });

  it('renews a token that is about to expire mid-read, before the appliance refuses it', async () => {
    let clock = NOW;
    const sim = await startSim({ dataset: pointsDataset(vmPoints(60)), now: () => clock, faults: { tokenLifetimeSeconds: 600 } });
    const client = clientFor(sim, { now: () => clock, pageSize: 10, parallelism: 3 });
    let pages = 0;
    sim.faults.intercept = (request) => {
      // Nine and a half minutes pass while page 3 is served: inside the lifetime, past the renewal margin.
      if (isVmPage(request) && ++pages === 3) clock += 570_000;
      return undefined;
    };
    const { points } = await readAll(client);

    expect(points).toHaveLength(60);
    expect(new Set(ids(points)).size).toBe(60);
    expect(sim.stats.refreshes).toBe(1);
    expect(sim.stats.passwordLogins).toBe(1);
    // Six pages, no page asked twice: nothing was refused.
    expect(sim.stats.gets.get('/api/v8.1/restorePoints/virtualMachines')).toBe(6);
  });

  it('refreshes when a token expires in the middle of paging', async () => {
    let clock = NOW;
    const sim = await startSim({ dataset: pointsDataset(vmPoints(60)), now: () => clock, faults: { tokenLifetimeSeconds: 600 } });
    const client = clientFor(sim, { now: () => clock, pageSize: 10, parallelism: 2 });
    let pages = 0;
    sim.faults.intercept = (request) => {
      // Two hours pass at page 3: the appliance refuses the token that page was sent with.
      if (isVmPage(request) && ++pages === 3) clock += 2 * HOUR;
      return undefined;
    };
    const { points } = await readAll(client);

    expect(points).toHaveLength(60);
    expect(new Set(ids(points)).size).toBe(60);
    expect(sim.stats.refreshes).toBe(1);
    expect(sim.stats.passwordLogins).toBe(1);
  });

  it('logs in again when the refresh is refused', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(40)), faults: { refuseRefresh: true } });
    const client = clientFor(sim, { pageSize: 10, parallelism: 1 });
    let pages = 0;
    sim.faults.intercept = (request) => {
      if (isVmPage(request) && ++pages === 2) sim.revokeAccessTokens();
      return undefined;
    };
    const { points } = await readAll(client);

    expect(points).toHaveLength(40);
    expect(sim.stats.refreshes).toBe(0);
    expect(sim.stats.passwordLogins).toBe(2);
  });

  it('keeps the rotated refresh token: two renewals, both by refresh', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(60)) });
    const client = clientFor(sim, { pageSize: 10, parallelism: 1 });
    let pages = 0;
    sim.faults.intercept = (request) => {
      if (isVmPage(request)) {
        pages++;
        if (pages === 2 || pages === 4) sim.revokeAccessTokens();
      }
      return undefined;
    };
    const { points } = await readAll(client);

    expect(points).toHaveLength(60);
    // The simulator spends a refresh token when it is used: had the client presented the first
    // refresh token again, the second renewal would have been refused and become a password login.
    expect(sim.stats.refreshes).toBe(2);
    expect(sim.stats.passwordLogins).toBe(1);
  });

  it('shares one refresh between concurrent calls refused after a revocation', async () => {
    const dataset = demoDataset({ now: NOW });
    const sim = await startSim({ dataset });
    const client = clientFor(sim, { pageSize: 50, parallelism: 4 });
    const { points } = await readAll(client);
    const sessionIds = [...new Set(points.map((point) => point.jobSessionId!))].slice(0, 6);
    expect(sessionIds).toHaveLength(6);
    sim.revokeAccessTokens();

    const [sessions, again] = await Promise.all([
      Promise.all(sessionIds.map((id) => client.getJobSession(id))),
      readAll(client),
      client.getJobSession(sessionIds[0]!),
    ]);

    expect(sessions.every((session) => session !== null)).toBe(true);
    expect(again.points).toHaveLength(points.length);
    expect(sim.stats.refreshes).toBe(1);
    expect(sim.stats.passwordLogins).toBe(1);
  });

  it('shares one login between concurrent first calls', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(5)) });
    const client = clientFor(sim);
    await Promise.all([readAll(client), readAll(client), client.getJobSession('nope')]);
    expect(sim.stats.passwordLogins).toBe(1);
  });

  it('logs out on close', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(5)) });
    const requests = recordRequests(sim);
    const client = clientFor(sim);
    await readAll(client);
    await client.close();

    expect(sim.stats.logouts).toBe(1);
    expect(requests.filter((request) => request.method === 'DELETE' && request.path === '/api/oauth2/token')).toHaveLength(1);

    // A second close (a shutdown signal after a `finally`) is harmless and does not log out again.
    await client.close();
    expect(sim.stats.logouts).toBe(1);
  });
});

describe('resilience', () => {
  it('rides out a burst of 503s with Retry-After: 0', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    const requests = recordRequests(sim);
    sim.failNext(3, { status: 503, retryAfterSeconds: 0, path: /virtualMachines$/ });
    const { points } = await readAll(clientFor(sim));

    expect(points).toHaveLength(20);
    expect(requests.filter(isVmPage)).toHaveLength(4);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    const requests = recordRequests(sim);
    sim.failNext(1, { status: 429, retryAfterSeconds: 1, path: /virtualMachines$/ });
    const { points } = await readAll(clientFor(sim));

    expect(points).toHaveLength(20);
    const pages = requests.filter(isVmPage);
    expect(pages).toHaveLength(2);
    expect(pages[1]!.at - pages[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up with kind rate-limited when 429s outlast the retries', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    const requests = recordRequests(sim);
    sim.failNext(10, { status: 429, retryAfterSeconds: 0, path: /virtualMachines$/ });
    const error = expectVeeamError(await rejection(readAll(clientFor(sim))), 'rate-limited');
    expect(error.message).toMatch(/slow down \(429\)/);
    expect(requests.filter(isVmPage)).toHaveLength(4);
  });

  it('retries a login that meets a 503', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    let logins = 0;
    sim.faults.intercept = (request) =>
      request.method === 'POST' && request.path === '/api/oauth2/token' && logins++ < 2
        ? { status: 503, headers: { 'retry-after': '0' }, body: { title: 'Service Unavailable', status: 503 } }
        : undefined;
    const { points } = await readAll(clientFor(sim));
    expect(points).toHaveLength(20);
    expect(logins).toBe(3);
    expect(sim.stats.passwordLogins).toBe(1);
  });

  it('clamps a Retry-After longer than maxRetryAfterMs', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    sim.failNext(1, { status: 503, retryAfterSeconds: 120, path: /virtualMachines$/ });
    const started = performance.now();
    const { points } = await readAll(
      clientFor(sim, { retry: { limit: 3, baseDelayMs: 5, backoffLimitMs: 50, maxRetryAfterMs: 100 } }),
    );

    expect(points).toHaveLength(20);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('gives up on 500s beyond the retry limit with a sentence', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    const requests = recordRequests(sim);
    sim.failNext(10, { status: 500, path: /virtualMachines$/ });
    const error = expectVeeamError(await rejection(readAll(clientFor(sim))), 'server');

    expect(requests.filter(isVmPage)).toHaveLength(4); // the first try and three retries
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/^127\.0\.0\.1:\d+ failed with 500: Simulated failure: .+\.$/);
  });

  it('does not retry a 404 or a 400', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    const requests = recordRequests(sim);
    const client = clientFor(sim);
    await client.apiVersion();

    sim.failNext(1, { status: 400, path: /virtualMachines$/ });
    const error = expectVeeamError(await rejection(readAll(client)), 'rejected');
    expect(error.status).toBe(400);
    expect(requests.filter(isVmPage)).toHaveLength(1);

    sim.failNext(1, { status: 404, path: /virtualMachines$/ });
    expectVeeamError(await rejection(readAll(client)), 'not-found');
    expect(requests.filter(isVmPage)).toHaveLength(2);

    expect(await client.getJobSession('no-such-session')).toBeNull();
    expect(requests.filter((request) => request.path.endsWith('/jobSessions/no-such-session'))).toHaveLength(1);
  });

  it('retries a request that hangs, then fails with kind timeout', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    const hung: SimRequest[] = [];
    sim.faults.intercept = (request) => {
      if (!isVmPage(request)) return undefined;
      hung.push(request);
      return { status: 200, delayMs: 1500, destroy: true };
    };
    const client = clientFor(sim, { requestTimeoutMs: 150 });
    const started = performance.now();
    const error = expectVeeamError(await rejection(readAll(client)), 'timeout');

    expect(hung).toHaveLength(4);
    expect(error.message).toMatch(/did not answer in time/);
    expect(performance.now() - started).toBeLessThan(1400);
  });

  it('asks once more after a body that is not JSON, then calls it malformed', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    let garbled = 0;
    const garble = (times: number) => {
      garbled = 0;
      sim.faults.intercept = (request) =>
        isVmPage(request) && garbled++ < times
          ? { status: 200, headers: { 'content-type': 'application/json' }, body: '<html>proxy error</html>' }
          : undefined;
    };
    const client = clientFor(sim);

    garble(1);
    expect((await readAll(client)).points).toHaveLength(20);
    expect(garbled).toBe(2);

    garble(Number.POSITIVE_INFINITY);
    const error = expectVeeamError(await rejection(readAll(client)), 'malformed');
    expect(error.message).toMatch(/not valid JSON/);
    expect(garbled).toBe(2);
  });

  it('calls a page without a results list malformed', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(20)) });
    sim.faults.intercept = (request) => (isVmPage(request) ? { status: 200, body: { offset: 0, limit: 100, totalCount: 3, items: [] } } : undefined);
    const error = expectVeeamError(await rejection(readAll(clientFor(sim))), 'malformed');
    expect(error.message).toContain('restorePoints/virtualMachines');
  });

  it('says a closed port is unreachable', async () => {
    const port = await closedPort();
    const error = expectVeeamError(await rejection(readAll(clientFor(`http://127.0.0.1:${port}`))), 'unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('the connection was refused');
    expect(error.message).toContain('VEEAM_URL');
  });

  it('explains a 403 that asks for the license agreement, with title, detail and trace id', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(5)) });
    const traceId = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    sim.failNext(1, {
      status: 403,
      contentType: 'application/problem+json; charset=utf-8',
      body: JSON.stringify({
        type: 'https://httpstatuses.io/403',
        title: 'Forbidden',
        status: 403,
        detail: 'Accept the license agreement to continue',
        traceId,
        licenseAgreementAcceptanceRequired: true,
      }),
    });
    const error = expectVeeamError(await rejection(readAll(clientFor(sim))), 'license');

    expect(error.message).toMatch(/accept the license agreement/i);
    expect(error.message).toContain('Forbidden');
    expect(error.message).toContain('Accept the license agreement to continue');
    expect(error.message).toContain(traceId);
    expect(error.traceId).toBe(traceId);
  });

  it('carries the problem title, detail and trace id into the message', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(5)) });
    const traceId = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    sim.failNext(4, {
      status: 502,
      path: /virtualMachines$/,
      contentType: 'application/problem+json',
      body: JSON.stringify({ title: 'Bad Gateway', status: 502, detail: 'The worker did not answer', traceId }),
    });
    const error = expectVeeamError(await rejection(readAll(clientFor(sim))), 'server');

    expect(error.message).toContain('Bad Gateway: The worker did not answer');
    expect(error.message).toContain(`(trace ${traceId})`);
    expect({ title: error.title, detail: error.detail, traceId: error.traceId }).toEqual({
      title: 'Bad Gateway',
      detail: 'The worker did not answer',
      traceId,
    });
  });
});

describe('paging', () => {
  const TOTAL = 123;
  const startPaged = (faults: Parameters<typeof startSim>[0]['faults'] = {}) =>
    startSim({ dataset: pointsDataset(vmPoints(TOTAL)), faults });
  const expectAll = (points: readonly RestorePoint[], total = TOTAL) => {
    expect(points).toHaveLength(total);
    expect(new Set(ids(points))).toEqual(new Set(vmPoints(total).map((point) => point.id)));
  };

  it('reads everything when the server caps Limit silently', async () => {
    const sim = await startPaged({ limitCap: 7 });
    const { points, report } = await readAll(clientFor(sim, { pageSize: 50 }));
    expectAll(points);
    expect(report.duplicates).toBe(0);
    expect(report.incomplete).toBeNull();
    expect(sim.stats.gets.get('/api/v8.1/restorePoints/virtualMachines')).toBe(Math.ceil(TOTAL / 7));
  });

  it('reads everything when totalCount is null', async () => {
    const sim = await startPaged({ nullTotalCount: true });
    const { points, report } = await readAll(clientFor(sim, { pageSize: 50 }));
    expectAll(points);
    expect(report.incomplete).toBeNull();
  });

  it('reads everything with a capped Limit and a null totalCount', async () => {
    const sim = await startPaged({ limitCap: 7, nullTotalCount: true });
    const { points, report } = await readAll(clientFor(sim, { pageSize: 50 }));
    expectAll(points);
    expect(report.duplicates).toBe(0);
    expect(sim.stats.gets.get('/api/v8.1/restorePoints/virtualMachines')).toBe(Math.ceil(TOTAL / 7));
  });

  it('reads everything when a capped server echoes no limit and no total', async () => {
    const sim = await startPaged();
    const records = rawVmRecords(TOTAL);
    sim.faults.intercept = (request) => {
      if (!isVmPage(request)) return undefined;
      const offset = offsetOf(request);
      return pageAnswer(records.slice(offset, offset + Math.min(7, limitOf(request))), { offset, totalCount: null });
    };
    const { points, report } = await readAll(clientFor(sim, { pageSize: 50 }));
    expectAll(points);
    expect(report.incomplete).toBeNull();
  });

  for (const totalKnown of [true, false]) {
    it(`stops when the server ignores Offset (totalCount ${totalKnown ? 'known' : 'null'})`, async () => {
      const sim = await startPaged({ ignoreOffset: true, nullTotalCount: !totalKnown });
      const { points, report } = await readAll(clientFor(sim, { pageSize: 20 }));

      expect(points).toHaveLength(20);
      expect(report.incomplete).toMatch(/same page again/);
      expect(report.incomplete).toMatch(/stopped after 20 records/);
      expect(sim.stats.gets.get('/api/v8.1/restorePoints/virtualMachines')).toBeLessThanOrEqual(5);
    });
  }

  it('counts a point once when the collection shifts between pages', async () => {
    const sim = await startPaged();
    const records = rawVmRecords(50);
    sim.faults.intercept = (request) => {
      if (!isVmPage(request)) return undefined;
      const offset = offsetOf(request);
      // After the first page a new point arrives at the front: every later page starts one earlier.
      const start = offset === 0 ? 0 : offset - 1;
      return pageAnswer(records.slice(start, start + limitOf(request)), { offset, limit: limitOf(request), totalCount: 50 });
    };
    const { points, report } = await readAll(clientFor(sim, { pageSize: 10 }));

    expect(new Set(ids(points)).size).toBe(points.length);
    expect(points).toHaveLength(49);
    expect(report.duplicates).toBe(1); // record 9 came on pages 1 and 2
    expect(summarisePoints(points, DEFAULT_STALE_POLICY, NOW).restorePoints).toBe(49);
  });

  for (const totalKnown of [true, false]) {
    it(`accepts pages larger than asked (totalCount ${totalKnown ? 'known' : 'null'})`, async () => {
      const sim = await startPaged();
      const records = rawVmRecords(60);
      sim.faults.intercept = (request) => {
        if (!isVmPage(request)) return undefined;
        const offset = offsetOf(request);
        // Asked for 10, sends 25 and echoes the limit asked.
        return pageAnswer(records.slice(offset, offset + 25), { offset, limit: limitOf(request), totalCount: totalKnown ? 60 : null });
      };
      const { points, report } = await readAll(clientFor(sim, { pageSize: 10 }));
      expectAll(points, 60);
      expect(report.duplicates).toBe(0);
      expect(report.incomplete).toBeNull();
    });
  }

  it('fills in a planned page that came up short', async () => {
    const sim = await startPaged();
    const records = rawVmRecords(50);
    sim.faults.intercept = (request) => {
      if (!isVmPage(request)) return undefined;
      const offset = offsetOf(request);
      // The page at 20 comes back with 6 of its 10 points: 26…29 must be asked for again.
      const size = offset === 20 ? 6 : limitOf(request);
      return pageAnswer(records.slice(offset, offset + size), { offset, limit: limitOf(request), totalCount: 50 });
    };
    const { points, report } = await readAll(clientFor(sim, { pageSize: 10 }));

    expectAll(points, 50);
    expect(report.incomplete).toBeNull();
  });

  it('fetches pages in parallel, never more than the configured parallelism', async () => {
    const sim = await startPaged({ latencyMs: 5 });
    let inFlight = 0;
    let most = 0;
    sim.faults.intercept = async (request) => {
      if (!isVmPage(request)) return undefined;
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(25);
      inFlight--;
      return undefined;
    };
    const { points } = await readAll(clientFor(sim, { pageSize: 10, parallelism: 3 }));

    expectAll(points);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('delivers no points after the read has failed', async () => {
    const sim = await startPaged();
    sim.faults.intercept = async (request) => {
      if (!isVmPage(request) || offsetOf(request) === 0) return undefined;
      if (offsetOf(request) === 10) return { status: 400, body: { title: 'Bad Request', status: 400, detail: 'Offset out of range' } };
      await sleep(150); // the other pages are still on their way when that one fails
      return undefined;
    };
    const delivered: RestorePoint[] = [];
    const error = await rejection(clientFor(sim, { pageSize: 10, parallelism: 4 }).readRestorePoints((point) => delivered.push(point)));
    expectVeeamError(error, 'rejected');
    const atFailure = delivered.length;
    await sleep(300);

    expect(delivered.length).toBe(atFailure);
    expect(atFailure).toBeGreaterThanOrEqual(10);
  });
});

describe('records', () => {
  const record = (index: number, extra: Record<string, unknown> = {}) => ({
    id: simUuid(0xbeef, index),
    type: 'Full',
    pointInTime: new Date(NOW - (index + 1) * HOUR).toISOString(),
    backupSizeBytes: 1000 + index,
    vmName: 'vm-records',
    backupDestination: 'Snapshot',
    isCorrupted: false,
    state: 'Ok',
    jobSessionId: `session-${index}`,
    ...extra,
  });
  const readRecords = async (records: readonly unknown[]) => {
    const sim = await startSim({ dataset: rawDataset(records) });
    return readAll(clientFor(sim, { pageSize: 3 }));
  };
  const byId = (points: readonly RestorePoint[], index: number) => points.find((point) => point.id === simUuid(0xbeef, index));

  it('parses string sizes and keeps points whose size is negative or garbage', async () => {
    const { points, report } = await readRecords([
      record(0, { backupSizeBytes: '136367309312' }),
      record(1, { backupSizeBytes: -5 }),
      record(2, { backupSizeBytes: 'lots' }),
      record(3, { backupSizeBytes: null }),
      record(4, { backupSizeBytes: { bytes: 3 } }),
    ]);

    expect(report.skipped).toBe(0);
    expect(points).toHaveLength(5);
    expect(byId(points, 0)!.sizeBytes).toBe(136_367_309_312);
    for (const index of [1, 2, 3, 4]) expect(byId(points, index)!.sizeBytes).toBeNull();
    expect(summarisePoints(points, DEFAULT_STALE_POLICY, NOW).totalBytes).toBe(136_367_309_312);
  });

  it('reads times with more than millisecond precision, with an offset, or without a zone (UTC)', async () => {
    const { points, report } = await readRecords([
      record(0, { pointInTime: '2020-02-05T10:48:38.8530051Z' }),
      record(1, { pointInTime: '2020-02-05T11:48:38.853+01:00' }),
      record(2, { pointInTime: '2020-02-05T10:48:38.853' }),
    ]);
    expect(report.skipped).toBe(0);
    const expected = Date.parse('2020-02-05T10:48:38.853Z');
    expect(points.map((point) => point.pointInTime)).toEqual([expected, expected, expected]);
  });

  it('keeps an unknown destination as its own destination', async () => {
    const { points } = await readRecords([record(0), record(1, { backupDestination: 'ColdVault' }), record(2, { backupDestination: 'AzureBlob' })]);
    expect(byId(points, 1)!.destination).toBe('ColdVault');
    const summary = summarisePoints(points, DEFAULT_STALE_POLICY, NOW);
    expect(summary.destinations.map((destination) => destination.destination)).toEqual(['Snapshot', 'AzureBlob', 'ColdVault']);
    expect(summary.destinations[2]).toMatchObject({ restorePoints: 1, stale: false, staleAfterSeconds: null });
    expect(summary.destinations[2]!.latest?.id).toBe(simUuid(0xbeef, 1));
  });

  it('skips and counts records without an id or a readable time', async () => {
    const { id: _id, ...withoutId } = record(1);
    const { points, report } = await readRecords([
      record(0),
      withoutId,
      record(2, { id: '' }),
      record(3, { pointInTime: 'yesterday' }),
      record(4, { pointInTime: '2026-13-45T99:99:99Z' }),
      record(5, { pointInTime: null }),
      'not a record',
      null,
      record(8),
    ]);

    expect(ids(points)).toEqual([simUuid(0xbeef, 0), simUuid(0xbeef, 8)]);
    expect(report.skipped).toBe(7);
    expect(report.incomplete).toBeNull();
    expect(summarisePoints(points, DEFAULT_STALE_POLICY, NOW, { name: 'x', url: '', apiVersion: 'v8.1', error: null, skipped: report.skipped })).toMatchObject({
      restorePoints: 2,
      skipped: 7,
    });
  });

  it('never offers a corrupted newest point as the latest', async () => {
    const { points } = await readRecords([
      record(0, { isCorrupted: true }),
      record(1),
      record(2, { backupDestination: 'AzureBlob', state: 'Corrupted', isCorrupted: null }),
      record(3, { backupDestination: 'AzureBlob' }),
    ]);
    const summary = summarisePoints(points, DEFAULT_STALE_POLICY, NOW);
    const latest = (name: string) => summary.destinations.find((destination) => destination.destination === name)!.latest;

    expect(byId(points, 0)!.corrupted).toBe(true);
    expect(byId(points, 2)!.corrupted).toBe(true);
    expect(latest('Snapshot')!.id).toBe(simUuid(0xbeef, 1));
    expect(latest('AzureBlob')!.id).toBe(simUuid(0xbeef, 3));
    expect(summary.corrupted).toBe(2);
    expect(summary.restorePoints).toBe(4);
    expect(summary.workloads[0]!.destinations['Snapshot']!.latest!.id).toBe(simUuid(0xbeef, 1));
  });

  it('reads an empty appliance as zero points without an error', async () => {
    const sim = await startSim({ dataset: rawDataset([]) });
    const { points, report } = await readAll(clientFor(sim));
    expect(points).toEqual([]);
    expect(report).toMatchObject({ apiVersion: 'v8.1', skipped: 0, duplicates: 0, incomplete: null });
  });
});

describe('getJobSession', () => {
  it('finds a v8.1 session with its status, policy and duration', async () => {
    const dataset = demoDataset({ now: NOW });
    const sim = await startSim({ dataset });
    const client = clientFor(sim);
    const { points } = await readAll(client);
    const sessionId = points.find((point) => point.destination === 'AzureBlob')!.jobSessionId!;
    const expected = dataset.jobSession(sessionId)!;
    const session = await client.getJobSession(sessionId);

    expect(session).toEqual({
      appliance: 'test-appliance',
      id: sessionId,
      type: expected.type,
      localizedType: expected.localizedType,
      status: expected.status,
      startedAt: expected.start,
      stoppedAt: expected.stop,
      durationMs: expected.stop - expected.start,
      policyName: 'Nightly backup to blob',
      protectedInstances: expected.protectedInstances,
    });
    expect(session!.durationMs).toBeGreaterThan(0);
  });

  it('answers null for a session the appliance no longer has', async () => {
    const sim = await startSim({ dataset: demoDataset({ now: NOW }) });
    expect(await clientFor(sim).getJobSession('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('finds the v1 session "37" named by a seed link', async () => {
    const sim = await startSim({ dataset: rawDataset(SEED.results, [SEED_SESSION_37]), versions: APPLIANCE_1_0 });
    const client = clientFor(sim);
    const { points } = await readAll(client);
    const snapshot = points.find((point) => point.destination === 'Snapshot')!;
    const session = await client.getJobSession(snapshot.jobSessionId!);

    expect(session).toMatchObject({ id: '37', status: 'Success', policyName: 'ukwest snapshots', durationMs: 150_000 });
    expect(sim.stats.gets.get('/api/v1/jobSessions/37')).toBe(1);
  });
});

/** A TCP pass-through that counts connections, to see how often the client tries a handshake. */
async function countingProxy(targetPort: number): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    connections++;
    const outbound = connect(targetPort, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('TLS', () => {
  let ca: TestCa;
  beforeAll(async () => {
    ca = await makeTestCa();
  });
  const startTls = () => startSim({ dataset: pointsDataset(vmPoints(5)), tls: { key: ca.keyPem, cert: ca.certPem } });

  it('works when the appliance CA is given', async () => {
    const sim = await startTls();
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const { points } = await readAll(clientFor(sim, { appliance: { caPem: ca.caPem } }));
    expect(points).toHaveLength(5);
  });

  it('refuses an untrusted certificate and names both ways out', async () => {
    const sim = await startTls();
    const error = expectVeeamError(await rejection(readAll(clientFor(sim))), 'tls');
    expect(error.message).toContain('VEEAM_CA_FILE');
    expect(error.message).toContain('VEEAM_TLS_INSECURE');
    expect(sim.stats.requests).toBe(0);
  });

  it('refuses a certificate signed by another CA', async () => {
    const sim = await startTls();
    expectVeeamError(await rejection(readAll(clientFor(sim, { appliance: { caPem: ca.otherCaPem } }))), 'tls');
  });

  it('works without verification when tlsInsecure is set', async () => {
    const sim = await startTls();
    const { points } = await readAll(clientFor(sim, { appliance: { tlsInsecure: true } }));
    expect(points).toHaveLength(5);
  });

  it('trusts a self-signed appliance certificate given as the CA, and refuses it otherwise', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(5)), tls: { key: ca.selfSignedKeyPem, cert: ca.selfSignedCertPem } });
    const error = expectVeeamError(await rejection(readAll(clientFor(sim))), 'tls');
    expect(error.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');

    const { points } = await readAll(clientFor(sim, { appliance: { caPem: ca.selfSignedCertPem } }));
    expect(points).toHaveLength(5);
  });

  it('refuses a trusted certificate issued for another name', async () => {
    // Served on 127.0.0.2, which the certificate (127.0.0.1, localhost) does not name. Linux routes
    // all of 127/8 to loopback; where 127.0.0.2 cannot be bound there is nothing to test.
    const sim = await startSim({ dataset: pointsDataset(vmPoints(5)), host: '127.0.0.2', tls: { key: ca.keyPem, cert: ca.certPem } }).catch(
      (error: unknown) => {
        if ((error as { code?: unknown }).code === 'EADDRNOTAVAIL') return null;
        throw error;
      },
    );
    if (!sim) return;
    const error = expectVeeamError(await rejection(readAll(clientFor(sim, { appliance: { caPem: ca.caPem } }))), 'tls');
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(sim.stats.requests).toBe(0);
  });

  it('does not retry a certificate error', async () => {
    const sim = await startTls();
    const proxy = await countingProxy(Number(new URL(sim.url).port));
    try {
      const started = performance.now();
      const client = clientFor(`https://127.0.0.1:${proxy.port}`, { retry: { limit: 3, baseDelayMs: 200, backoffLimitMs: 1000, maxRetryAfterMs: 2000 } });
      expectVeeamError(await rejection(readAll(client)), 'tls');

      expect(proxy.connections()).toBe(1);
      expect(performance.now() - started).toBeLessThan(200); // a single backoff would take 200 ms
    } finally {
      await proxy.close();
    }
  });
});
