/**
 * Part 8, start-up per command: each command run as a user would, against node running an empty
 * module (the floor), alternating; wall time to exit, peak RSS, modules resolved, and whether it
 * loaded Bolt (with express), redis or prom-client, which only `serve`, `digest --post` and
 * `check` use.
 */
import { cleanEnv, runProcess, type ProcessRun } from './lib/run-process.ts';
import { median, mib, ms, ratio, type Row } from './lib/stats.ts';

export interface StartupSettings {
  readonly runs: number;
}

const COMMANDS: ReadonlyArray<readonly string[]> = [['--help'], ['summary', '--demo'], ['query', '--demo', 'vm-erp'], ['demo']];
const HEAVY = ['/node_modules/@slack/', '/node_modules/express/', '/node_modules/redis/', '/node_modules/@redis/', '/node_modules/prom-client/'];

export async function benchStartup(settings: StartupSettings, log: (line: string) => void): Promise<Row[]> {
  const env = cleanEnv({ LOG_LEVEL: 'error' });
  const floor: ProcessRun[] = [];
  const byCommand = new Map<string, ProcessRun[]>(COMMANDS.map((args) => [args.join(' '), []]));
  for (let run = 1; run <= settings.runs; run++) {
    floor.push(await runProcess(['bench/lib/empty.ts'], env));
    for (const args of COMMANDS) byCommand.get(args.join(' '))!.push(await runProcess(['bin/restorepoints.ts', ...args], env));
    log(`  start-up run ${run}/${settings.runs}: node ${ms(floor.at(-1)!.ms)}, ${COMMANDS.map((args) => `${args[0]} ${ms(byCommand.get(args.join(' '))!.at(-1)!.ms)}`).join(', ')}`);
  }
  const part = '8 start-up per command (wall time to exit)';
  const rows: Row[] = [{ part, what: 'node with an empty module (floor): time / peak RSS', value: `${ms(median(floor.map((r) => r.ms)))} / ${mib(median(floor.map((r) => r.maxRssKb)))}` }];
  for (const [name, runs] of byCommand) {
    const heavy = new Set(runs.flatMap((r) => r.modules.filter((url) => HEAVY.some((marker) => url.includes(marker))).map((url) => HEAVY.find((marker) => url.includes(marker))!)));
    const timeRatio = median(runs.map((r, index) => r.ms / floor[index]!.ms));
    rows.push(
      { part, what: `${name}: time / peak RSS / modules`, value: `${ms(median(runs.map((r) => r.ms)))} / ${mib(median(runs.map((r) => r.maxRssKb)))} / ${runs[0]!.modules.length}` },
      { part, what: `${name}: Bolt, express, redis or prom-client loaded`, value: heavy.size === 0 ? 'none' : [...heavy].join(' '), goal: 'none', met: heavy.size === 0 },
      ...(name === '--help' ? [{ part, what: '--help: time ratio to the floor (median of pairs)', value: ratio(timeRatio), goal: '≤ 3.00×', met: timeRatio <= 3 }] : []),
    );
  }
  return rows;
}
