/**
 * Part 5, the functional core at scale: summarise (each point made and added to a tally, as a
 * read delivers them, then summariseTally) and render (the overview, the digest, stale, a name,
 * a destination) for growing numbers of points, with workloads growing alongside (20 points each). Time per point should stay flat, and every
 * message stays within Slack's limits (checked by test/support/slack-limits.ts, independent of
 * the renderer).
 */
import { answerQuery } from '../src/restore-points/answer.ts';
import type { RestorePoint, Workload } from '../src/restore-points/model.ts';
import { parseQuery } from '../src/restore-points/query.ts';
import { DEFAULT_STALE_POLICY } from '../src/restore-points/stale-policy.ts';
import { summariseTally } from '../src/restore-points/summarise.ts';
import type { Summary } from '../src/restore-points/summary.ts';
import { PointTally } from '../src/restore-points/tally.ts';
import { renderAnswer } from '../src/slack/blocks/answer.ts';
import { renderDigest } from '../src/slack/blocks/digest.ts';
import { simUuid } from '../src/simulator/dataset.ts';
import { slackLimitViolations } from '../test/support/slack-limits.ts';
import { count, median, ms, ratio, type Row } from './lib/stats.ts';

export interface ScaleSettings {
  readonly sizes: readonly number[];
  readonly runs: number;
}

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-26T08:00:00Z');
const POINTS_PER_WORKLOAD = 20;
const DESTINATIONS = ['Snapshot', 'AzureBlob', 'ManualSnapshot'];
const QUERIES = ['', 'stale', 'vm-000042', 'in AzureBlob', 'vm-0001 before 2026-11-25 09:30'];

/**
 * Point `index` of `total`: workloads of 20 hourly points over three destinations; one workload
 * in seven stopped three days ago. Points are made as they are tallied, the way pages deliver
 * them: a tally never holds them all, and neither does this benchmark.
 */
function pointMaker(total: number): (index: number) => RestorePoint {
  const workloads = Math.max(1, Math.floor(total / POINTS_PER_WORKLOAD));
  const names: Workload[] = Array.from({ length: workloads }, (_, index) => ({ kind: 'vm', name: `vm-${String(index).padStart(6, '0')}` }));
  const sessions = Array.from({ length: POINTS_PER_WORKLOAD + 1 }, (_, round) => simUuid(0x5e55, round));
  return (index) => {
    const vm = index % workloads;
    const round = Math.floor(index / workloads);
    const stopped = vm % 7 === 3 ? 72 * HOUR : 0;
    return {
      appliance: 'bench',
      id: `p-${index}`,
      workload: names[vm]!,
      pointInTime: NOW - HOUR - stopped - round * HOUR - (vm % 3600) * 1000,
      sizeBytes: (10 + (vm % 90)) * 1024 ** 3,
      destination: DESTINATIONS[round % 3]!,
      type: round % 7 === 0 ? 'Full' : 'Incremental',
      corrupted: index % 997 === 0,
      immutableUntil: null,
      jobSessionId: sessions[round] ?? null,
    };
  };
}

function summariseAll(total: number, make: (index: number) => RestorePoint): Summary {
  const tally = new PointTally();
  for (let index = 0; index < total; index++) tally.add(make(index));
  const appliance = summariseTally(tally, { name: 'bench', url: 'https://bench.example.com', apiVersion: 'v8.1', error: null, skipped: 0 }, DEFAULT_STALE_POLICY, NOW);
  return { generatedAt: new Date(NOW).toISOString(), appliances: [appliance] };
}

/** Renders every answer and the digest; throws if one breaks Slack's limits. */
function renderAll(summary: Summary): number {
  let blocks = 0;
  const messages = [
    ...QUERIES.map((text) => {
      const query = parseQuery(text);
      const asOf = query.before === null ? null : NOW - 24 * HOUR;
      return renderAnswer(answerQuery(query, summary, { now: NOW, asOf }));
    }),
    renderDigest(summary, NOW, 'UTC'),
  ];
  for (const message of messages) {
    blocks += message.blocks.length;
  }
  return blocks;
}

function checkAll(summary: Summary): string[] {
  const problems: string[] = [];
  for (const text of QUERIES) {
    const query = parseQuery(text);
    const message = renderAnswer(answerQuery(query, summary, { now: NOW, asOf: query.before === null ? null : NOW - 24 * HOUR }));
    for (const violation of slackLimitViolations({ text: message.text, blocks: message.blocks })) problems.push(`"${text}": ${violation}`);
  }
  const digest = renderDigest(summary, NOW, 'UTC');
  for (const violation of slackLimitViolations({ text: digest.text, blocks: digest.blocks })) problems.push(`digest: ${violation}`);
  return problems;
}

export async function benchScale(settings: ScaleSettings, log: (line: string) => void): Promise<Row[]> {
  const results: Array<{ size: number; summariseMs: number; renderMs: number; problems: string[] }> = [];
  // One unmeasured pass first, so that the smallest size does not pay for the JIT alone.
  renderAll(summariseAll(settings.sizes[0]!, pointMaker(settings.sizes[0]!)));
  for (const size of settings.sizes) {
    const make = pointMaker(size);
    const summaries: number[] = [];
    const renders: number[] = [];
    let summary: Summary | null = null;
    // Fewer runs for the largest size: each takes seconds.
    const runs = size >= 1_000_000 ? Math.max(2, Math.ceil(settings.runs / 2)) : settings.runs;
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      summary = summariseAll(size, make);
      const summarised = performance.now();
      renderAll(summary);
      const rendered = performance.now();
      summaries.push(summarised - started);
      renders.push(rendered - summarised);
    }
    const problems = checkAll(summary!);
    results.push({ size, summariseMs: median(summaries), renderMs: median(renders), problems });
    log(`  core ${count(size)} points: summarise ${ms(median(summaries))}, render ${ms(median(renders))}, ${problems.length} limit violations`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const rows: Row[] = [];
  const part = '5 core scale (tally + summarise, render)';
  for (const result of results) {
    rows.push({
      part,
      what: `${count(result.size)} points (${count(result.size / POINTS_PER_WORKLOAD)} workloads): summarise / render`,
      value: `${ms(result.summariseMs)} / ${ms(result.renderMs)}`,
    });
    rows.push({
      part,
      what: `${count(result.size)} points: summarise ns per point`,
      value: ((result.summariseMs * 1e6) / result.size).toFixed(0),
    });
  }
  const first = results[0]!;
  const last = results.at(-1)!;
  const perPoint = (r: typeof first) => r.summariseMs / r.size;
  const flat = perPoint(last) / perPoint(first);
  const renderGrowth = last.renderMs / first.renderMs;
  const violations = results.reduce((n, r) => n + r.problems.length, 0);
  rows.push(
    { part, what: `summarise time per point ratio ${count(last.size)}/${count(first.size)}`, value: ratio(flat), goal: 'flat (≤ 1.50×)', met: flat <= 1.5 },
    // Render time is not per point: messages are capped by Slack's limits, so a per-point figure
    // falls by construction. Shown as it grows beside how much the points grew.
    { part, what: `render time ratio ${count(last.size)}/${count(first.size)} (points grew ${ratio(last.size / first.size)})`, value: ratio(renderGrowth) },
    { part, what: `Slack limit violations (${QUERIES.length + 1} messages × ${results.length} sizes)`, value: String(violations), goal: '0', met: violations === 0 },
  );
  for (const result of results) for (const problem of result.problems.slice(0, 3)) log(`  ${count(result.size)}: ${problem}`);
  return rows;
}
