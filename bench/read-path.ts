/**
 * Part 1, the read path: the simulator serves N restore points generated on the fly, from its
 * own process. The client's read + validate + summarise runs against the floor (`undici.request`
 * and JSON.parse of the same pages, same parallelism), and beside them Node's fetch and ky on
 * undici's fetch, each side in its own process, in rotating order. With BENCH_BASELINE=dir, the
 * client of another checkout (dir holds its src/ and bench/) runs beside them too.
 */
import { DEFAULT_SIM_USER } from '../src/simulator/server.ts';
import { runChild, startChild, type Child } from './lib/child.ts';
import { count, median, mib, ms, ratio, type Row } from './lib/stats.ts';
import type { ReadPathMode, ReadPathOptions, ReadPathResult } from './read-path-worker.ts';
import type { SimProcessMessage, SimProcessOptions } from './sim-process.ts';

export interface ReadPathSettings {
  readonly points: number;
  readonly runs: number;
  readonly pageSize: number;
  readonly parallelism: number;
  /** Extra node flags for the measured children (e.g. --cpu-prof). */
  readonly execArgv?: readonly string[];
}

interface Run extends ReadPathResult {
  /** CPU the simulator spent serving this read. */
  readonly simulatorCpuMs: number;
}

async function simulatorCpu(sim: Child<SimProcessMessage>): Promise<number> {
  sim.send({ type: 'stats' });
  const stats = await sim.next();
  if (stats.type !== 'stats') throw new Error('the simulator did not answer with its statistics');
  return stats.cpuMs;
}

export async function benchReadPath(settings: ReadPathSettings, log: (line: string) => void): Promise<{ rows: Row[] }> {
  const now = Date.now();
  const vms = Math.max(10, Math.min(1000, Math.floor(settings.points / 100)));
  const simOptions: SimProcessOptions = { dataset: { kind: 'synthetic', points: settings.points, vms, newest: now - 3_600_000 } };
  const sim = startChild<SimProcessMessage>('sim-process.ts', simOptions);
  try {
    const ready = await sim.next();
    if (ready.type !== 'ready') throw new Error('the simulator did not start');
    const base = {
      url: ready.url,
      username: DEFAULT_SIM_USER.username,
      password: DEFAULT_SIM_USER.password,
      pageSize: settings.pageSize,
      parallelism: settings.parallelism,
      now,
    };
    const baselineDir = process.env['BENCH_BASELINE'];
    const modes: readonly ReadPathMode[] = ['floor', 'fetch', 'ky', 'client', ...(baselineDir ? (['baseline'] as const) : [])];
    const runs: Record<ReadPathMode, Run[]> = { floor: [], fetch: [], ky: [], client: [], baseline: [] };
    for (let run = 0; run < settings.runs; run++) {
      // Rotate which side goes first, so that none always meets a warmer simulator.
      const order = modes.map((_, index) => modes[(index + run) % modes.length]!);
      for (const mode of order) {
        const before = await simulatorCpu(sim);
        const result = await runChild<ReadPathResult>('read-path-worker.ts', { ...base, mode, ...(baselineDir ? { baselineDir } : {}) } satisfies ReadPathOptions, settings.execArgv ?? []);
        const simulatorCpuMs = (await simulatorCpu(sim)) - before;
        if (result.points !== settings.points) throw new Error(`${mode} read ${result.points} points, expected ${settings.points}`);
        runs[mode].push({ ...result, simulatorCpuMs });
        log(
          `  read path run ${run + 1}/${settings.runs} ${mode.padEnd(6)} ${ms(result.ms).padStart(9)}  cpu ${ms(result.cpuMs).padStart(9)}  peak RSS ${mib(result.maxRssKb)}  simulator cpu ${ms(simulatorCpuMs)}`,
        );
      }
    }
    const { floor, client } = runs;
    const pairwise = (mode: ReadPathMode, of: (run: Run) => number) => median(runs[mode].map((run, index) => of(run) / of(floor[index]!)));
    const clientMs = median(client.map((r) => r.ms));
    const timeRatio = pairwise('client', (r) => r.ms);
    const memoryRatio = pairwise('client', (r) => r.maxRssKb);
    const simulatorShare = median(floor.map((r) => r.simulatorCpuMs / r.ms));
    const part = `1 read path (${count(settings.points)} points)`;
    const figures = (mode: ReadPathMode) => `${ms(median(runs[mode].map((r) => r.ms)))} / ${ms(median(runs[mode].map((r) => r.cpuMs)))}`;
    const rows: Row[] = [
      { part, what: 'floor: undici.request + JSON.parse, wall / CPU time (median)', value: figures('floor') },
      { part, what: "Node's fetch + text() + JSON.parse, wall / CPU", value: figures('fetch') },
      { part, what: "ky on undici's fetch and Agent + JSON.parse, wall / CPU", value: figures('ky') },
      { part, what: 'client: read + validate + summarise, wall / CPU', value: figures('client') },
      { part, what: 'CPU ratio fetch/floor · ky/floor · client/floor (median of pairs)', value: (['fetch', 'ky', 'client'] as const).map((mode) => ratio(pairwise(mode, (r) => r.cpuMs))).join(' · ') },
      ...(baselineDir
        ? [
            { part, what: `baseline (${baselineDir}): read + validate + summarise, wall / CPU`, value: figures('baseline') },
            { part, what: 'CPU ratio baseline/floor · client/baseline (median of pairs)', value: `${ratio(pairwise('baseline', (r) => r.cpuMs))} · ${ratio(median(client.map((run, index) => run.cpuMs / runs.baseline[index]!.cpuMs)))}` },
          ]
        : []),
      { part, what: 'time ratio client/floor (median of pairs)', value: ratio(timeRatio), goal: '≤ 1.30×', met: timeRatio <= 1.3 },
      { part, what: 'floor / client peak RSS (median)', value: `${mib(median(floor.map((r) => r.maxRssKb)))} / ${mib(median(client.map((r) => r.maxRssKb)))}` },
      { part, what: 'memory ratio client/floor (peak RSS)', value: ratio(memoryRatio), goal: '≤ 2.00×', met: memoryRatio <= 2 },
      { part, what: 'client time per point', value: `${((clientMs * 1e6) / settings.points).toFixed(0)} ns` },
      { part, what: 'simulator CPU during a floor read, share of its wall time', value: `${(simulatorShare * 100).toFixed(0)} %` },
    ];
    return { rows };
  } finally {
    await sim.stop();
  }
}
