/**
 * Token churn with many pages in flight, against the simulator over HTTP (issue 11): tokens that
 * the appliance stops accepting after N calls, tokens revoked server-side mid-read, an appliance
 * that refuses every token it issues. A read that a fresh token can finish is finished; refusals
 * of superseded tokens cost no renewal; the read gives up only for a good reason, with a sentence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pointsDataset, simUuid, type SimPoint } from '../../src/simulator/dataset.ts';
import type { SimAnswer, SimRequest, Simulator } from '../../src/simulator/server.ts';
import { RENEWALS_PER_READ } from '../../src/veeam/client.ts';
import { VeeamError } from '../../src/veeam/errors.ts';
import { clientFor, closeAll, readAll, rejection, startSim } from '../support/veeam.ts';

const HOUR = 3_600_000;
const NOW = Date.now();

afterEach(closeAll);

function vmPoints(count: number): SimPoint[] {
  return Array.from({ length: count }, (_, index) => ({
    id: simUuid(0x70c, index),
    kind: 'vm' as const,
    workload: `vm-${index % 7}`,
    pointInTime: NOW - (index + 1) * HOUR,
    sizeBytes: 1024,
    destination: 'Snapshot',
    type: 'Full' as const,
    corrupted: false,
    jobSessionId: `session-${index}`,
    region: 'westeurope',
  }));
}

const isApiGet = (request: SimRequest) => request.method === 'GET' && request.path.startsWith('/api/v');
const isVmPage = (request: SimRequest) => isApiGet(request) && request.path.endsWith('/restorePoints/virtualMachines');
const bearer = (request: SimRequest) => /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
const refusal: SimAnswer = { status: 401, body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The access token has expired.' } };

/**
 * Watches the tokens requests carry: how often each was used, and how many requests went out
 * with a token after the appliance had already refused it (a send that should have waited).
 */
function tokenWatch(sim: Simulator, refuse: (token: string, uses: number, request: SimRequest) => boolean) {
  const uses = new Map<string, number>();
  const refused = new Set<string>();
  const watch = { staleSends: 0, refusals: 0 };
  sim.faults.intercept = (request) => {
    if (!isApiGet(request)) return undefined;
    const token = bearer(request);
    if (refused.has(token)) watch.staleSends++;
    const count = (uses.get(token) ?? 0) + 1;
    uses.set(token, count);
    if (refuse(token, count, request)) {
      refused.add(token);
      watch.refusals++;
      return refusal;
    }
    return undefined;
  };
  return watch;
}

describe('token churn with many pages in flight', () => {
  it('tokens that stop working after 25 calls: the read completes, one renewal per dead token', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(600)), faults: { latencyMs: 2 } });
    const watch = tokenWatch(sim, (_token, uses) => uses > 25);
    const { points, report } = await readAll(clientFor(sim, { pageSize: 6, parallelism: 6 }));

    expect(points).toHaveLength(600);
    expect(new Set(points.map((point) => point.id)).size).toBe(600);
    expect(report.incomplete).toBeNull();
    expect(sim.stats.passwordLogins).toBe(1);
    // About 110 calls at 25 a token: four or five renewals, never one per refused call.
    expect(sim.stats.refreshes).toBeGreaterThanOrEqual(4);
    expect(sim.stats.refreshes).toBeLessThanOrEqual(RENEWALS_PER_READ);
    // Sends wait while a renewal runs: only requests already in flight meet a refused token again.
    expect(watch.staleSends).toBeLessThanOrEqual(6 * sim.stats.refreshes);
  });

  it('tokens revoked server-side four times mid-read, with six pages in flight each time', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(400)), faults: { latencyMs: 3 } });
    let pages = 0;
    sim.faults.intercept = (request) => {
      if (isVmPage(request) && ++pages % 15 === 0 && pages <= 60) sim.revokeAccessTokens();
      return undefined;
    };
    const { points, report } = await readAll(clientFor(sim, { pageSize: 5, parallelism: 6 }));

    expect(points).toHaveLength(400);
    expect(report.incomplete).toBeNull();
    expect(sim.stats.passwordLogins).toBe(1);
    // One shared renewal per revocation: the other refused requests were handed the new token.
    expect(sim.stats.refreshes).toBe(4);
  });

  it('a revocation while a renewal is due: refusals of the superseded token spend nothing', async () => {
    let clock = NOW;
    const sim = await startSim({ dataset: pointsDataset(vmPoints(200)), now: () => clock, faults: { tokenLifetimeSeconds: 600, latencyMs: 2 } });
    let pages = 0;
    sim.faults.intercept = (request) => {
      if (!isVmPage(request)) return undefined;
      pages++;
      if (pages === 5) clock += 2 * HOUR; // every token in flight expires
      if (pages === 12) sim.revokeAccessTokens();
      return undefined;
    };
    const { points } = await readAll(clientFor(sim, { now: () => clock, pageSize: 5, parallelism: 8 }));
    expect(points).toHaveLength(200);
    // Two events, two renewals (a refresh each; a password login when a refreshed token is
    // refused before any answer proved it), however many requests were refused.
    expect(sim.stats.refreshes + sim.stats.passwordLogins - 1).toBe(2);
  });

  it('an appliance that refuses every token it issues: one password login, then a sentence', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(50)) });
    tokenWatch(sim, () => true);
    const error = await rejection(readAll(clientFor(sim, { pageSize: 5, parallelism: 4 })));

    expect(error).toBeInstanceOf(VeeamError);
    expect((error as VeeamError).kind).toBe('credentials');
    expect((error as VeeamError).message).toMatch(/refused the token it had just issued for restorepoints/);
    expect(sim.stats.passwordLogins).toBe(1);
    expect(sim.stats.refreshes).toBe(0);
  });

  it('a refreshed token refused on first use leads to one password login, not a loop of refreshes', async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(60)) });
    // Judged when first seen: the first login's token works for three calls, a refreshed one never,
    // one from a second password login always.
    const good = new Map<string, boolean>();
    tokenWatch(sim, (token, uses) => {
      if (!good.has(token)) good.set(token, good.size === 0 || sim.stats.passwordLogins >= 2);
      return good.size === 1 ? uses > 3 : !good.get(token);
    });
    const { points } = await readAll(clientFor(sim, { pageSize: 5, parallelism: 1 }));

    expect(points).toHaveLength(60);
    expect(sim.stats.refreshes).toBe(1);
    expect(sim.stats.passwordLogins).toBe(2);
  });

  it(`gives up after ${RENEWALS_PER_READ} renewals in one read, with a sentence, when every token dies after one call`, async () => {
    const sim = await startSim({ dataset: pointsDataset(vmPoints(200)) });
    tokenWatch(sim, (_token, uses) => uses > 1);
    const error = await rejection(readAll(clientFor(sim, { pageSize: 5, parallelism: 1 })));

    expect((error as VeeamError).kind).toBe('credentials');
    expect((error as VeeamError).message).toMatch(/kept refusing fresh tokens \(\d+ renewals in one read\)/);
    expect(sim.stats.refreshes + sim.stats.passwordLogins - 1).toBeLessThanOrEqual(RENEWALS_PER_READ + 1);
  });
});
