/**
 * Parts 2 and 3, ack latency and upstream reads, at realistic size: the real bot on Bolt's HTTP
 * receiver with the default CACHE_TTL (60 s) reading an appliance of `points` restore points over
 * `vms` VMs, against a bare Bolt app whose handler only acks. Bursts of N concurrent signed
 * /restorepoints with mixed questions (names, stale, destinations, `before` times), time to the
 * HTTP 200, and time until the last answer reached the response_url. No warm-up is left out: the
 * first burst meets a cold cache, as the first questions of a minute do. Part 3 counts the
 * appliance's full reads the bursts caused (the simulator's count).
 *
 * The apps run in child processes; this process signs and sends the requests and plays Slack
 * (test/support/fake-slack.ts), the simulator runs in a child of its own.
 */
import { Agent, request as httpRequest } from 'node:http';
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.ts';
import { SIGNING_SECRET } from '../test/support/bot.ts';
import { signSlackRequest, slashCommandBody } from '../test/support/slack-signing.ts';
import { startChild, type Child } from './lib/child.ts';
import { count, ms, percentile, ratio, type Row } from './lib/stats.ts';
import type { SimProcessMessage } from './sim-process.ts';
import type { SlackAppProcessMessage, SlackAppProcessOptions } from './slack-app-process.ts';

export interface AckSettings {
  readonly concurrency: number;
  /** Measured rounds per app (bursts), alternating which app goes first. */
  readonly rounds: number;
  /** The appliance's latency per request. */
  readonly applianceDelayMs: number;
  readonly points: number;
  readonly vms: number;
  readonly cacheTtlMs: number;
}

interface Sent {
  readonly status: number;
  readonly ms: number;
}

/** A POST timed from the call to the response's status line (node:http: lighter than fetch). */
function post(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const elapsed = performance.now() - started;
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: elapsed }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function startApp(options: SlackAppProcessOptions): Promise<{ child: Child<SlackAppProcessMessage>; url: string }> {
  const child = startChild<SlackAppProcessMessage>('slack-app-process.ts', options);
  const ready = await child.next();
  return { child, url: `http://127.0.0.1:${ready.port}/slack/events` };
}

/** Signs `texts.length` slash commands, sends them all at once, and times each to its HTTP status. */
async function burst(url: string, slack: FakeSlack, texts: readonly string[]): Promise<{ sent: Sent[]; responseUrls: string[] }> {
  const responseUrls = texts.map((_, index) => slack.responseUrl(`bench-${index}`));
  const requests = texts.map((text, index) => {
    const body = slashCommandBody({ text, response_url: responseUrls[index]! });
    return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SIGNING_SECRET, body) } };
  });
  // Fresh connections per burst for both apps: a burst can take longer than the servers'
  // keep-alive timeout (5 s), and a reused socket closed meanwhile fails with ECONNRESET.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const sent = await Promise.all(requests.map(({ body, headers }) => post(agent, url, body, headers)));
  agent.destroy();
  return { sent, responseUrls };
}

async function answered(slack: FakeSlack, responseUrls: readonly string[], timeoutMs = 60_000): Promise<void> {
  const wanted = new Set(responseUrls);
  await slack.waitFor(() => slack.responses.filter((post) => wanted.has(post.url) && post.status === 200).length >= wanted.size, timeoutMs, 'every command answered');
}

async function simStats(sim: Child<SimProcessMessage>, type: 'stats' | 'reset'): Promise<Extract<SimProcessMessage, { type: 'stats' }>> {
  sim.send({ type });
  const message = await sim.next();
  if (message.type !== 'stats') throw new Error('the simulator did not answer with its statistics');
  return message;
}

/** A mix of what people ask: everything, stale, names, destinations, and three `before` times. */
function questions(count: number, now: number): string[] {
  const instant = new Date(now - 6 * 3_600_000).toISOString().slice(0, 16) + 'Z';
  const mix = ['', 'stale', 'vm-000042', 'in AzureBlob', 'vm-0001', 'on bench', 'before 3h', 'vm-000100 before 1d', 'stale in Snapshot', `before ${instant}`];
  return Array.from({ length: count }, (_, index) => mix[index % mix.length]!);
}

/** The client's default page size: a full read asks for points / this many VM pages. */
const CLIENT_PAGE_SIZE = 1000;

/** Full reads of the appliance: its VM restore-point pages, divided by the pages one read takes. */
const fullReads = (stats: Extract<SimProcessMessage, { type: 'stats' }>, points: number) =>
  Object.entries(stats.gets)
    .filter(([path]) => path.endsWith('/restorePoints/virtualMachines'))
    .reduce((sum, [, n]) => sum + n, 0) / Math.max(1, Math.ceil(points / CLIENT_PAGE_SIZE));

export async function benchAck(settings: AckSettings, log: (line: string) => void): Promise<Row[]> {
  const slack = await startFakeSlack();
  const now = Date.now();
  const sim = startChild<SimProcessMessage>('sim-process.ts', {
    dataset: { kind: 'synthetic', points: settings.points, vms: settings.vms, newest: now - 3_600_000 },
    latencyMs: settings.applianceDelayMs,
  });
  const children: Array<Child<unknown>> = [sim];
  try {
    const ready = await sim.next();
    if (ready.type !== 'ready') throw new Error('the simulator did not start');
    const bare = await startApp({ mode: 'bare', slackApiUrl: slack.apiUrl, simulatorUrl: ready.url, cacheTtlMs: settings.cacheTtlMs });
    children.push(bare.child);
    const bot = await startApp({ mode: 'bot', slackApiUrl: slack.apiUrl, simulatorUrl: ready.url, cacheTtlMs: settings.cacheTtlMs });
    children.push(bot.child);
    await simStats(sim, 'reset');

    const latencies = { bare: [] as number[], bot: [] as number[] };
    const answeredWithin: number[] = [];
    const texts = questions(settings.concurrency, now);
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? (['bare', 'bot'] as const) : (['bot', 'bare'] as const);
      for (const which of order) {
        const started = performance.now();
        const { sent, responseUrls } = await burst(which === 'bot' ? bot.url : bare.url, slack, texts);
        const failed = sent.filter((s) => s.status !== 200).length;
        if (failed > 0) throw new Error(`${which}: ${failed} of ${sent.length} requests were not answered 200`);
        let answers = '';
        // The bot answers every command after its ack: let it finish before the next burst.
        if (which === 'bot') {
          await answered(slack, responseUrls);
          answeredWithin.push(performance.now() - started);
          answers = `  all answered ${ms(answeredWithin.at(-1)!)}`;
        }
        latencies[which].push(...sent.map((s) => s.ms));
        log(`  ack round ${round}/${settings.rounds} ${which.padEnd(4)} p50 ${ms(percentile(sent.map((s) => s.ms), 50))}  p99 ${ms(percentile(sent.map((s) => s.ms), 99))}${answers}`);
      }
    }
    const stats = await simStats(sim, 'stats');
    const p = (which: 'bare' | 'bot', q: number) => percentile(latencies[which], q);
    const part2 = `2 ack latency (${settings.concurrency} concurrent mixed questions, ${count(settings.points)} points / ${count(settings.vms)} VMs, CACHE_TTL ${settings.cacheTtlMs / 1000} s)`;
    const p99Ratio = p('bot', 99) / p('bare', 99);
    const p50Ratio = p('bot', 50) / p('bare', 50);
    const slowest = Math.max(...answeredWithin);
    const rows: Row[] = [
      { part: part2, what: `bare Bolt app p50 / p99 (${count(latencies.bare.length)} requests)`, value: `${ms(p('bare', 50))} / ${ms(p('bare', 99))}` },
      { part: part2, what: `restorepoints bot p50 / p99 (${count(latencies.bot.length)} requests)`, value: `${ms(p('bot', 50))} / ${ms(p('bot', 99))}` },
      { part: part2, what: 'p50 ratio bot/bare', value: ratio(p50Ratio), goal: '≤ 1.50×', met: p50Ratio <= 1.5 },
      { part: part2, what: 'p99 ratio bot/bare', value: ratio(p99Ratio), goal: '≤ 1.50×', met: p99Ratio <= 1.5 },
      { part: part2, what: 'bot p99 time to HTTP 200', value: ms(p('bot', 99)), goal: '< 1 s (Slack: 3 s)', met: p('bot', 99) < 1000 },
      { part: part2, what: 'bot: burst sent → last answer posted (worst burst)', value: ms(slowest), goal: '≤ 10 s', met: slowest <= 10_000 },
    ];

    // ---- Part 3: the appliance reads those bursts caused ----
    const reads = fullReads(stats, settings.points);
    const asked = settings.rounds * settings.concurrency;
    const distinct = new Set(texts.map((text) => (text.includes('before') ? text.slice(text.indexOf('before')) : ''))).size;
    const part3 = `3 upstream reads (${count(asked)} questions in ${settings.rounds} bursts, CACHE_TTL ${settings.cacheTtlMs / 1000} s)`;
    rows.push(
      { part: part3, what: `full reads of the appliance (${distinct} distinct instants asked per burst)`, value: reads.toFixed(1), goal: `≤ ${distinct * 2} (one per instant and minute)`, met: reads <= distinct * 2 },
      { part: part3, what: 'restore-point page requests / logins in all', value: `${stats.pageRequests} / ${stats.passwordLogins}` },
    );
    log(`  upstream: ${reads} full read(s) for ${asked} questions`);
    return rows;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await slack.close();
  }
}
