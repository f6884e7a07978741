/**
 * Part 6, many appliances: the fleet reading 50 appliances (on three simulators answering after
 * 100, 200 and 300 ms per request) against reading one on the slowest, side by side in the same
 * run; and the same 50 with the old bound of 8 appliances at a time, for comparison.
 */
import { Fleet, FLEET_PARALLELISM } from '../src/appliances/fleet.ts';
import { silentLogger } from '../src/log.ts';
import { simulatedAppliance } from '../src/simulator/demo-appliance.ts';
import { startChild, type Child } from './lib/child.ts';
import { median, ms, ratio, type Row } from './lib/stats.ts';
import type { SimProcessMessage } from './sim-process.ts';

export interface FleetWidthSettings {
  readonly appliances: number;
  readonly runs: number;
  readonly points: number;
}

const LATENCIES = [100, 200, 300];
const PAGE_SIZE = 500;

export async function benchFleetWidth(settings: FleetWidthSettings, log: (line: string) => void): Promise<Row[]> {
  const now = Date.now();
  const sims: Array<Child<SimProcessMessage>> = LATENCIES.map((latencyMs) =>
    startChild<SimProcessMessage>('sim-process.ts', { dataset: { kind: 'synthetic', points: settings.points, vms: Math.max(1, settings.points / 10), newest: now - 3_600_000 }, latencyMs }),
  );
  try {
    const urls: string[] = [];
    for (const sim of sims) {
      const ready = await sim.next();
      if (ready.type !== 'ready') throw new Error('a simulator did not start');
      urls.push(ready.url);
    }
    const many = Array.from({ length: settings.appliances }, (_, index) => simulatedAppliance(urls[index % urls.length]!, `appliance-${index}`));
    const one = [simulatedAppliance(urls.at(-1)!, 'slowest')];
    /** This process's CPU time over the wall time of the last read of so many appliances. */
    const cpuShare = new Map<number, number>();
    const read = async (appliances: typeof many, parallelism?: number) => {
      const fleet = Fleet.fromConfig(appliances, { cacheTtlMs: 0, logger: silentLogger(), client: { pageSize: PAGE_SIZE }, ...(parallelism ? { parallelism } : {}) });
      try {
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const readings = await fleet.readAll();
        const elapsed = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        if (parallelism === undefined) cpuShare.set(appliances.length, (cpu.user + cpu.system) / 1000 / elapsed);
        const failed = readings.filter((reading) => reading.error || reading.tally.points !== settings.points);
        if (failed.length > 0) throw new Error(`${failed.length} appliance(s) read wrong: ${failed[0]!.error ?? `${failed[0]!.tally.points} points`}`);
        return elapsed;
      } finally {
        await fleet.close();
      }
    };
    await read(one); // warm-up
    const times = { one: [] as number[], many: [] as number[], eight: [] as number[] };
    for (let run = 1; run <= settings.runs; run++) {
      times.one.push(await read(one));
      times.many.push(await read(many));
      times.eight.push(await read(many, 8));
      log(`  fleet run ${run}/${settings.runs}: 1 appliance ${ms(times.one.at(-1)!)}, ${settings.appliances} ${ms(times.many.at(-1)!)} (bound ${FLEET_PARALLELISM}), ${ms(times.eight.at(-1)!)} (bound 8)`);
    }
    const pairwise = (of: number[]) => median(of.map((value, index) => value / times.one[index]!));
    const wide = pairwise(times.many);
    const eight = pairwise(times.eight);
    const part = `6 many appliances (${settings.appliances} × ${settings.points.toLocaleString('en-US')} points, 100–300 ms per request)`;
    return [
      { part, what: 'one appliance (300 ms), wall time (median)', value: ms(median(times.one)) },
      { part, what: `${settings.appliances} appliances, bound ${FLEET_PARALLELISM}, wall time (median)`, value: ms(median(times.many)) },
      { part, what: `ratio ${settings.appliances}/1, bound ${FLEET_PARALLELISM} (median of pairs)`, value: ratio(wide), goal: '≤ 1.50×', met: wide <= 1.5 },
      { part, what: `ratio ${settings.appliances}/1, bound 8 (before #15, diagnostic)`, value: ratio(eight) },
      // Near 100 %, the fleet's read is CPU-bound here (the bench shares its cores with the simulators).
      { part, what: `this process's CPU over wall time, ${settings.appliances} appliances (diagnostic)`, value: `${((cpuShare.get(settings.appliances) ?? Number.NaN) * 100).toFixed(0)} %` },
    ];
  } finally {
    await Promise.all(sims.map((sim) => sim.stop()));
  }
}
