/** Readings asked for together (now and "as of" several instants) come from one pass over the appliance. */
import { afterEach, describe, expect, it } from 'vitest';
import { ApplianceReader } from '../../src/appliances/reader.ts';
import { silentLogger } from '../../src/log.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { pointsDataset, simUuid, type SimPoint } from '../../src/simulator/dataset.ts';
import { clientFor, closeAll, startSim } from '../support/veeam.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-26T08:00:00Z');
const POINTS = 30;
const PAGE = 10;
/** Three VM pages, and one each for the empty SQL, file-share and two Cosmos DB collections. */
const PAGES_PER_READ = POINTS / PAGE + 4;

afterEach(closeAll);

const points: SimPoint[] = Array.from({ length: POINTS }, (_, index) => ({
  id: simUuid(0x9a7e, index),
  kind: 'vm',
  workload: `vm-${index % 3}`,
  pointInTime: NOW - (index + 1) * HOUR,
  sizeBytes: 1000,
  destination: 'Snapshot',
  type: 'Full',
  corrupted: false,
  jobSessionId: `session-${index}`,
  region: 'westeurope',
}));

describe('ApplianceReader gathering reads', () => {
  it('reads now and as of two instants in one pass, each reading counting its own points', async () => {
    const sim = await startSim({ dataset: pointsDataset(points) });
    const reader = new ApplianceReader({
      name: 'weu',
      url: sim.url,
      source: clientFor(sim, { pageSize: PAGE, parallelism: 2 }),
      policy: DEFAULT_STALE_POLICY,
      cacheTtlMs: 60_000,
      logger: silentLogger(),
      now: () => NOW,
    });
    const [now, tenHoursAgo, dayAgo, again] = await Promise.all([reader.read(), reader.read(NOW - 10 * HOUR), reader.read(NOW - 24 * HOUR), reader.read(NOW - 10 * HOUR)]);

    expect(sim.pageRequests()).toBe(PAGES_PER_READ);
    expect(now.tally.points).toBe(POINTS);
    expect(tenHoursAgo.tally.points).toBe(POINTS - 9);
    expect(dayAgo.tally.points).toBe(POINTS - 23);
    expect(again).toBe(tenHoursAgo);
    expect(reader.last).toBe(now);

    // Asked later, an instant not gathered is a pass of its own.
    expect((await reader.read(NOW - 2 * HOUR)).tally.points).toBe(POINTS - 1);
    expect(sim.pageRequests()).toBe(2 * PAGES_PER_READ);
  });
});
