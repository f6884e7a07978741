/**
 * `npm run bench`: the benchmark, in eight parts (the README's "Benchmarks" section lists them
 * with their goals). Not a test: it asserts no times. It reports medians of several runs, and
 * ratios measured side by side in the same run, so that a noisy, shared machine still gives
 * comparable figures. Every ratio is on a line containing the word "ratio".
 *
 *   npm run bench                  all parts at full size (several minutes)
 *   npm run bench -- --quick       every part at small sizes (under a minute; CI runs it)
 *   npm run bench -- --only=1,6    some parts only
 *   npm run bench -- --profile     CPU and heap profiles of the read-path children, in bench/profiles/
 *
 * Exits non-zero only when a part could not run or read wrong data (a count that does not add
 * up, a message outside Slack's limits): a missed goal is reported, not failed.
 */
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchAck } from './ack-latency.ts';
import { benchScale } from './core-scale.ts';
import { benchDigest } from './digest-fanout.ts';
import { table, type Row } from './lib/stats.ts';
import { benchFleetWidth } from './fleet-width.ts';
import { benchReadPath } from './read-path.ts';
import { benchStartup } from './startup.ts';
import { benchSummaryMemory } from './summary-memory.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',').map(Number) ?? [1, 2, 3, 4, 5, 6, 7, 8];
const unknown = args.filter((arg) => !['--quick', '--profile'].includes(arg) && !arg.startsWith('--only='));
if (unknown.length > 0) {
  console.error(`bench: unknown argument ${unknown.join(' ')} (known: --quick, --only=1,2,3,4,5,6,7,8, --profile)`);
  process.exit(2);
}

const log = (line: string) => console.log(line);
const profileDir = fileURLToPath(new URL('./profiles/', import.meta.url));

const cpu = cpus();
const started = new Date();
console.log(`restorepoints benchmark${quick ? ' (quick)' : ''} · ${started.toISOString()}`);
console.log(`node ${process.version} · ${platform()} ${release()} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}`);
console.log(`memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free) · load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
console.log('');

const rows: Row[] = [];
const parts: Array<{ number: number; name: string; run: () => Promise<Row[]> }> = [
  {
    number: 1,
    name: 'read path',
    run: async () =>
      (
        await benchReadPath(
          {
            points: quick ? 30_000 : 1_000_000,
            runs: quick ? 1 : 3,
            pageSize: 1000,
            parallelism: 4,
            ...(profile ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--heap-prof', `--heap-prof-dir=${profileDir}`] } : {}),
          },
          log,
        )
      ).rows,
  },
  {
    number: 2,
    name: 'ack latency and upstream reads',
    run: () =>
      benchAck(
        // The realistic case: default CACHE_TTL, 100,000 points over 5,000 VMs, 20 ms per request.
        { concurrency: 100, rounds: quick ? 2 : 4, applianceDelayMs: 20, points: quick ? 20_000 : 100_000, vms: quick ? 1_000 : 5_000, cacheTtlMs: 60_000 },
        log,
      ),
  },
  { number: 4, name: 'digest fan-out', run: () => benchDigest({ channels: 100, postDelayMs: 50, runs: quick ? 2 : 5 }, log) },
  { number: 5, name: 'core scale', run: () => benchScale({ sizes: quick ? [5_000, 20_000, 50_000] : [10_000, 100_000, 1_000_000], runs: quick ? 2 : 5 }, log) },
  { number: 6, name: 'many appliances', run: () => benchFleetWidth({ appliances: 50, points: quick ? 500 : 2_000, runs: quick ? 1 : 3 }, log) },
  {
    number: 7,
    name: 'summary --json memory',
    run: () => benchSummaryMemory(quick ? { points: 30_000, manyVms: 10_000, fewVms: 100, runs: 1 } : { points: 300_000, manyVms: 100_000, fewVms: 1_000, runs: 3 }, log),
  },
  { number: 8, name: 'start-up per command', run: () => benchStartup({ runs: quick ? 2 : 5 }, log) },
];

let failed = false;
for (const part of parts) {
  // Parts 2 and 3 share their set-up (the same bot and simulator).
  if (!only.includes(part.number) && !(part.number === 2 && only.includes(3))) continue;
  const partStarted = performance.now();
  console.log(`— part ${part.number === 2 ? '2 and 3' : part.number}: ${part.name}`);
  try {
    const partRows = await part.run();
    rows.push(...partRows.filter((row) => only.includes(Number(row.part.split(' ')[0]))));
  } catch (error) {
    failed = true;
    console.error(`  part ${part.number} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  console.log(`  (${((performance.now() - partStarted) / 1000).toFixed(1)} s)`);
}

console.log('');
console.log(table(rows));
const missed = rows.filter((row) => row.met === false);
console.log('');
console.log(
  missed.length === 0
    ? 'Every goal is met.'
    : `Goals not met on this machine: ${missed.map((row) => `${row.part.split(' ')[0]}: ${row.what} (${row.value}, goal ${row.goal})`).join('; ')}.`,
);
console.log(`Took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s.${profile ? ` Profiles: ${profileDir}` : ''}`);
process.exit(failed ? 1 : 0);
