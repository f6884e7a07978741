/**
 * ApplianceReader over a real client and simulator: readings reused for CACHE_TTL, one read shared
 * by concurrent askers, failures turned into readings, and readings "as of" a past instant.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ApplianceReader, summariseReading } from '../../src/appliances/reader.ts';
import { silentLogger } from '../../src/log.ts';
import { captureLogger } from '../support/log-capture.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { pointsDataset, simUuid, type SimPoint } from '../../src/simulator/dataset.ts';
import type { Simulator } from '../../src/simulator/server.ts';
import type { VeeamClient } from '../../src/veeam/client.ts';
import { clientFor, closeAll, closedPort, startSim } from '../support/veeam.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-26T08:00:00Z');
const TTL = 60_000;
const POINTS = 50;
const PAGE = 10;

afterEach(closeAll);

/** One point an hour going back from an hour ago, alternating Snapshot and AzureBlob. */
const points: SimPoint[] = Array.from({ length: POINTS }, (_, index) => ({
  id: simUuid(0x4ead, index),
  kind: 'vm',
  workload: `vm-${index % 4}`,
  pointInTime: NOW - (index + 1) * HOUR,
  sizeBytes: 1000,
  destination: index % 2 === 0 ? 'Snapshot' : 'AzureBlob',
  type: 'Full',
  corrupted: false,
  jobSessionId: `session-${index}`,
  region: 'westeurope',
}));

interface Setup {
  readonly sim: Simulator;
  readonly client: VeeamClient;
  readonly reader: ApplianceReader;
  readonly clock: { now: number };
}

async function setup(cacheTtlMs = TTL): Promise<Setup> {
  const sim = await startSim({ dataset: pointsDataset(points) });
  const client = clientFor(sim, { pageSize: PAGE, parallelism: 2 });
  const clock = { now: NOW };
  const reader = new ApplianceReader({
    name: 'weu',
    url: sim.url,
    source: client,
    policy: DEFAULT_STALE_POLICY,
    cacheTtlMs,
    logger: silentLogger(),
    now: () => clock.now,
  });
  return { sim, client, reader, clock };
}

/** Restore-point pages one read asks for: five VM pages, and one each for the empty SQL, file-share and two Cosmos DB collections. */
const PAGES_PER_READ = POINTS / PAGE + 4;

describe('ApplianceReader', () => {
  it('reuses a reading inside the TTL', async () => {
    const { sim, reader, clock } = await setup();
    const first = await reader.read();
    expect(first.error).toBeNull();
    expect(first.tally.points).toBe(POINTS);
    expect(first.apiVersion).toBe('v8.1');
    expect(sim.pageRequests()).toBe(PAGES_PER_READ);

    clock.now += TTL - 1;
    const second = await reader.read();
    expect(second).toBe(first);
    expect(sim.pageRequests()).toBe(PAGES_PER_READ);
    expect(reader.last).toBe(first);
  });

  it('shares one in-flight read between concurrent askers', async () => {
    const { sim, reader } = await setup();
    sim.faults.latencyMs = 20;
    const readings = await Promise.all([reader.read(), reader.read(), reader.read()]);

    expect(readings[1]).toBe(readings[0]);
    expect(readings[2]).toBe(readings[0]);
    expect(sim.pageRequests()).toBe(PAGES_PER_READ);
  });

  it('shares an in-flight read even with a TTL of 0, and reads again once it is done', async () => {
    const { sim, reader } = await setup(0);
    const [a, b] = await Promise.all([reader.read(), reader.read()]);
    expect(b).toBe(a);
    expect(sim.pageRequests()).toBe(PAGES_PER_READ);

    const c = await reader.read();
    expect(c).not.toBe(a);
    expect(sim.pageRequests()).toBe(2 * PAGES_PER_READ);
  });

  it('reads again after the TTL', async () => {
    const { sim, reader, clock } = await setup();
    const first = await reader.read();
    clock.now += TTL;
    const second = await reader.read();

    expect(second).not.toBe(first);
    expect(second.tally.points).toBe(POINTS);
    expect(sim.pageRequests()).toBe(2 * PAGES_PER_READ);
    expect(reader.last).toBe(second);
  });

  it('turns a failed read into a reading with an error, keeping the points read before', async () => {
    const { sim, client, reader } = await setup();
    // Sequential pages, so exactly the first three arrive before the appliance starts failing.
    const sequential = clientFor(sim, { pageSize: PAGE, parallelism: 1 });
    const failing = new ApplianceReader({
      name: 'weu',
      url: sim.url,
      source: sequential,
      policy: DEFAULT_STALE_POLICY,
      cacheTtlMs: TTL,
      logger: silentLogger(),
      now: () => NOW,
    });
    let pages = 0;
    sim.faults.intercept = (request) => {
      if (!request.path.endsWith('/restorePoints/virtualMachines')) return undefined;
      if (++pages <= 3) return undefined;
      return { status: 500, body: { title: 'Internal Server Error', status: 500, detail: 'The database went away' } };
    };

    const reading = await failing.read();
    expect(reading.error).toMatch(/failed with 500/);
    expect(reading.error).toContain('The database went away');
    expect(reading.tally.points).toBe(3 * PAGE);
    expect(reading.apiVersion).toBe('v8.1');
    const summary = summariseReading(reading, NOW);
    expect(summary.error).toBe(reading.error);
    expect(summary.restorePoints).toBe(3 * PAGE);

    // The reader over the healthy client is unaffected by the other's failure once faults clear.
    sim.faults.intercept = null;
    expect((await reader.read()).error).toBeNull();
    expect(client.knownApiVersion).toBe('v8.1');
  });

  it('logs the admin\'s fix for an appliance it cannot read', async () => {
    const port = await closedPort();
    const log = captureLogger();
    const reader = new ApplianceReader({
      name: 'gone',
      url: `http://127.0.0.1:${port}`,
      source: clientFor(`http://127.0.0.1:${port}`),
      policy: DEFAULT_STALE_POLICY,
      cacheTtlMs: TTL,
      logger: log.logger,
      now: () => NOW,
    });
    await reader.read();
    const warning = log.lines.find((line) => line.msg === 'could not read the appliance');
    expect(warning).toMatchObject({ appliance: 'gone', fix: expect.stringMatching(/^check VEEAM_URL .*firewalls/) });
  });

  it('turns an unreachable appliance into a reading with an error, never a throw', async () => {
    const port = await closedPort();
    const reader = new ApplianceReader({
      name: 'gone',
      url: `http://127.0.0.1:${port}`,
      source: clientFor(`http://127.0.0.1:${port}`),
      policy: DEFAULT_STALE_POLICY,
      cacheTtlMs: TTL,
      logger: silentLogger(),
      now: () => NOW,
    });
    const reading = await reader.read();

    expect(reading.error).toMatch(/^Cannot reach 127\.0\.0\.1:\d+: the connection was refused/);
    expect(reading.apiVersion).toBeNull();
    expect(reading.tally.points).toBe(0);
    const summary = summariseReading(reading, NOW);
    expect(summary.apiVersion).toBeNull();
    // No news is not good news: the thresholded destinations are stale, not green.
    expect(summary.destinations.filter((destination) => destination.stale).map((destination) => destination.destination)).toEqual([
      'Snapshot',
      'AzureBlob',
    ]);
  });

  it('reports an incomplete read as an error', async () => {
    const { sim, reader } = await setup();
    sim.faults.ignoreOffset = true;
    const reading = await reader.read();
    expect(reading.error).toMatch(/^The read of weu is incomplete: .*same page again/);
    expect(reading.tally.points).toBe(PAGE);
  });

  it('counts only points at or before asOf', async () => {
    const { sim, reader } = await setup();
    // Exactly on point 9's time: points 9…49 count (41 of them), 0…8 are after it.
    const asOf = NOW - 10 * HOUR;
    const reading = await reader.read(asOf);

    expect(reading.tally.asOf).toBe(asOf);
    expect(reading.tally.points).toBe(POINTS - 9);
    const summary = summariseReading(reading, asOf);
    const latest = (name: string) => summary.destinations.find((destination) => destination.destination === name)!.latest;
    expect(latest('AzureBlob')!.id).toBe(simUuid(0x4ead, 9));
    expect(latest('AzureBlob')!.ageSeconds).toBe(0);
    expect(latest('Snapshot')!.id).toBe(simUuid(0x4ead, 10));

    // An as-of reading is cached on its own and does not replace the latest full reading.
    expect(reader.last).toBeNull();
    const full = await reader.read();
    expect(full.tally.points).toBe(POINTS);
    expect(await reader.read(asOf)).toBe(reading);
    expect(sim.pageRequests()).toBe(2 * PAGES_PER_READ);
  });

  it('does not let a late page change a reading after it failed', async () => {
    const { sim, reader } = await setup();
    sim.faults.intercept = async (request) => {
      if (!request.path.endsWith('/restorePoints/virtualMachines')) return undefined;
      const offset = Number(request.query.get('Offset') ?? 0);
      if (offset === PAGE) return { status: 400, body: { title: 'Bad Request', status: 400, detail: 'No' } };
      if (offset > PAGE) await sleep(100);
      return undefined;
    };
    const reading = await reader.read();
    const counted = reading.tally.points;
    await sleep(200);

    expect(reading.error).toMatch(/rejected the request \(400\)/);
    expect(reading.tally.points).toBe(counted);
  });
});
