/**
 * Part 7, memory with many workloads: `restorepoints summary --json` as a user runs it, reading
 * the same number of points spread over 100,000 VMs and over 1,000, each in its own process,
 * alternating; peak RSS side by side.
 */
import { DEFAULT_SIM_USER } from '../src/simulator/server.ts';
import { startChild } from './lib/child.ts';
import { cleanEnv, runProcess } from './lib/run-process.ts';
import { count, median, mib, ms, ratio, type Row } from './lib/stats.ts';
import type { SimProcessMessage } from './sim-process.ts';

export interface SummaryMemorySettings {
  readonly points: number;
  readonly manyVms: number;
  readonly fewVms: number;
  readonly runs: number;
}

export async function benchSummaryMemory(settings: SummaryMemorySettings, log: (line: string) => void): Promise<Row[]> {
  const now = Date.now();
  const start = (vms: number) => startChild<SimProcessMessage>('sim-process.ts', { dataset: { kind: 'synthetic', points: settings.points, vms, newest: now - 3_600_000 } });
  const sims = { many: start(settings.manyVms), few: start(settings.fewVms) };
  try {
    const urls: Record<'many' | 'few', string> = { many: '', few: '' };
    for (const which of ['many', 'few'] as const) {
      const ready = await sims[which].next();
      if (ready.type !== 'ready') throw new Error('a simulator did not start');
      urls[which] = ready.url;
    }
    const runs = { many: [] as Array<{ ms: number; maxRssKb: number }>, few: [] as Array<{ ms: number; maxRssKb: number }> };
    for (let run = 1; run <= settings.runs; run++) {
      const order = run % 2 === 1 ? (['few', 'many'] as const) : (['many', 'few'] as const);
      for (const which of order) {
        const env = cleanEnv({ VEEAM_URL: urls[which], VEEAM_USERNAME: DEFAULT_SIM_USER.username, VEEAM_PASSWORD: DEFAULT_SIM_USER.password, LOG_LEVEL: 'error' });
        const result = await runProcess(['bin/restorepoints.ts', 'summary', '--json'], env);
        runs[which].push(result);
        log(`  summary --json run ${run}/${settings.runs} ${count(which === 'many' ? settings.manyVms : settings.fewVms)} VMs: ${ms(result.ms)}, peak RSS ${mib(result.maxRssKb)}`);
      }
    }
    const rss = (which: 'many' | 'few') => median(runs[which].map((r) => r.maxRssKb));
    const memoryRatio = median(runs.many.map((r, index) => r.maxRssKb / runs.few[index]!.maxRssKb));
    const part = `7 summary --json memory (${count(settings.points)} points)`;
    return [
      { part, what: `${count(settings.fewVms)} VMs: peak RSS / wall time (median)`, value: `${mib(rss('few'))} / ${ms(median(runs.few.map((r) => r.ms)))}` },
      { part, what: `${count(settings.manyVms)} VMs: peak RSS / wall time (median)`, value: `${mib(rss('many'))} / ${ms(median(runs.many.map((r) => r.ms)))}` },
      { part, what: `peak RSS ratio ${count(settings.manyVms)}/${count(settings.fewVms)} VMs (median of pairs)`, value: ratio(memoryRatio), goal: '≤ 2.00×', met: memoryRatio <= 2 },
    ];
  } finally {
    await Promise.all([sims.many.stop(), sims.few.stop()]);
  }
}
