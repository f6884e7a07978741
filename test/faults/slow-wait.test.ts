/**
 * When the bot itself stops waiting for a slow appliance (issue 11, point 10), it says so: it does
 * not blame the appliance's address for the connection it closed itself, and a command that exits
 * does not tell the user to "ask again in a moment".
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ask } from '../../src/appliances/ask.ts';
import { Fleet } from '../../src/appliances/fleet.ts';
import { pointsDataset, simUuid } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor } from '../support/bot.ts';
import { captureLogger } from '../support/log-capture.ts';
import { pollUntil } from '../support/poll.ts';

const NOW = Date.now();
const simulators: Simulator[] = [];
afterAll(async () => {
  await Promise.all(simulators.map((sim) => sim.close()));
});

async function slowAppliance(): Promise<Simulator> {
  const point = { id: simUuid(0x51, 1), kind: 'vm' as const, workload: 'vm-1', pointInTime: NOW - 3_600_000, sizeBytes: 1, destination: 'Snapshot', type: 'Full' as const, corrupted: false, jobSessionId: 's', region: 'weu' };
  const sim = await startSimulator({ dataset: pointsDataset([point]) });
  simulators.push(sim);
  sim.faults.intercept = (request) => (request.path.endsWith('/virtualMachines') ? { status: 200, body: { results: [] }, delayMs: 5000 } : undefined);
  return sim;
}

describe('the bot stops waiting for a slow appliance', () => {
  it('a command that exits says the appliance did not answer in time, and the read it cut short blames nobody', async () => {
    const sim = await slowAppliance();
    const { logger, lines } = captureLogger('info');
    const fleet = Fleet.fromConfig([applianceFor(sim)], { cacheTtlMs: 0, logger, client: { requestTimeoutMs: 60_000 } });
    const { answer } = await ask('', { fleet, now: () => NOW, waitMs: 300, readOn: false, timeZone: async () => 'UTC' });
    await fleet.close();

    const [appliance] = 'summary' in answer ? answer.summary.appliances : [];
    expect(appliance!.error).toBe('weu did not answer within 300 ms, so the bot stopped waiting for it.');
    // The read that was cut short by closing ends, and its log line says the bot stopped it.
    expect((await pollUntil(() => lines.some((line) => line.msg === 'could not read the appliance'), 10_000)).met).toBe(true);
    const reason = String(lines.find((line) => line.msg === 'could not read the appliance')!['reason']);
    expect(reason).toMatch(/^The bot stopped reading 127\.0\.0\.1:\d+: it closed the connection/);
    expect(reason).not.toMatch(/Cannot reach|UND_ERR_DESTROYED|Check the appliance URL/);
  });

  it('the bot (which reads on and caches) still says to ask again in a moment', async () => {
    const sim = await slowAppliance();
    const fleet = Fleet.fromConfig([applianceFor(sim)], { cacheTtlMs: 0, logger: captureLogger().logger });
    try {
      const [reading] = await fleet.readAll(null, { waitMs: 200 });
      expect(reading!.error).toBe('weu has not answered within 200 ms; it is still being read, so ask again in a moment.');
    } finally {
      await fleet.close();
    }
  });
});
