/**
 * Part 2, ack latency: the real bot on Bolt's HTTP receiver (its appliance answering after
 * 500 ms) against a bare Bolt app whose handler only acks; N concurrent signed /restorepoints,
 * time to the HTTP 200. Part 3, upstream reads: N concurrent queries inside one cache window,
 * and the appliance's restore-point reads counted by the simulator.
 *
 * The apps run in child processes; this process signs and sends the requests and plays Slack
 * (test/support/fake-slack.ts), the simulator runs in a child of its own.
 */
import { Agent, request as httpRequest } from 'node:http';
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.ts';
import { SIGNING_SECRET } from '../test/support/bot.ts';
import { signSlackRequest, slashCommandBody } from '../test/support/slack-signing.ts';
import { startChild, type Child } from './lib/child.ts';
import { count, median, ms, percentile, ratio, type Row } from './lib/stats.ts';
import type { SimProcessMessage } from './sim-process.ts';
import type { SlackAppProcessMessage, SlackAppProcessOptions } from './slack-app-process.ts';

export interface AckSettings {
  readonly concurrency: number;
  /** Measured rounds per app, after one warm-up round. */
  readonly rounds: number;
  readonly applianceDelayMs: number;
}

interface Sent {
  readonly status: number;
  readonly ms: number;
}

/** Keep-alive connections, reused across rounds, as Slack's would be. */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** A POST timed from the call to the response's status line (node:http: lighter than fetch). */
function post(url: string, body: string, headers: Record<string, string>): Promise<Sent> {
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
  const sent = await Promise.all(requests.map(({ body, headers }) => post(url, body, headers)));
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

const QUERIES = ['', 'stale', 'vm-sql-01', 'in AzureBlob', 'vm-web', 'on bench', 'vm-erp stale', 'in Snapshot vm-app'];

export async function benchAck(settings: AckSettings, log: (line: string) => void): Promise<Row[]> {
  const slack = await startFakeSlack();
  const sim = startChild<SimProcessMessage>('sim-process.ts', { dataset: { kind: 'demo', now: Date.now() }, latencyMs: settings.applianceDelayMs });
  const children: Array<Child<unknown>> = [sim];
  try {
    const ready = await sim.next();
    if (ready.type !== 'ready') throw new Error('the simulator did not start');
    const bare = await startApp({ mode: 'bare', slackApiUrl: slack.apiUrl, simulatorUrl: ready.url, cacheTtlMs: 0 });
    children.push(bare.child);
    const bot = await startApp({ mode: 'bot', slackApiUrl: slack.apiUrl, simulatorUrl: ready.url, cacheTtlMs: 0 });
    children.push(bot.child);

    // ---- Part 2: ack latency, rounds alternating between the two apps ----
    const texts = Array.from({ length: settings.concurrency }, () => '');
    const latencies = { bare: [] as number[], bot: [] as number[] };
    for (let round = 0; round <= settings.rounds; round++) {
      const order = round % 2 === 0 ? (['bare', 'bot'] as const) : (['bot', 'bare'] as const);
      for (const which of order) {
        const { sent, responseUrls } = await burst(which === 'bot' ? bot.url : bare.url, slack, texts);
        const failed = sent.filter((s) => s.status !== 200).length;
        if (failed > 0) throw new Error(`${which}: ${failed} of ${sent.length} requests were not answered 200`);
        // The bot answers every command after its ack: let it finish before the next round.
        if (which === 'bot') await answered(slack, responseUrls);
        if (round === 0) continue; // warm-up
        latencies[which].push(...sent.map((s) => s.ms));
        log(`  ack round ${round}/${settings.rounds} ${which.padEnd(4)} p50 ${ms(percentile(sent.map((s) => s.ms), 50))}  p99 ${ms(percentile(sent.map((s) => s.ms), 99))}`);
      }
    }
    const p = (which: 'bare' | 'bot', q: number) => percentile(latencies[which], q);
    const part2 = `2 ack latency (${settings.concurrency} concurrent, appliance ${settings.applianceDelayMs} ms)`;
    const p99Ratio = p('bot', 99) / p('bare', 99);
    const p50Ratio = p('bot', 50) / p('bare', 50);
    const rows: Row[] = [
      { part: part2, what: `bare Bolt app p50 / p99 (${count(latencies.bare.length)} requests)`, value: `${ms(p('bare', 50))} / ${ms(p('bare', 99))}` },
      { part: part2, what: `restorepoints bot p50 / p99 (${count(latencies.bot.length)} requests)`, value: `${ms(p('bot', 50))} / ${ms(p('bot', 99))}` },
      { part: part2, what: 'p50 ratio bot/bare', value: ratio(p50Ratio), goal: '≤ 1.50×', met: p50Ratio <= 1.5 },
      { part: part2, what: 'p99 ratio bot/bare', value: ratio(p99Ratio), goal: '≤ 1.50×', met: p99Ratio <= 1.5 },
      { part: part2, what: 'bot p99 time to HTTP 200', value: ms(p('bot', 99)), goal: '< 100 ms', met: p('bot', 99) < 100 },
    ];

    // ---- Part 3: upstream reads inside one cache window ----
    const cached = await startApp({ mode: 'bot', slackApiUrl: slack.apiUrl, simulatorUrl: ready.url, cacheTtlMs: 60_000 });
    children.push(cached.child);
    await simStats(sim, 'reset');
    const queries = Array.from({ length: settings.concurrency }, (_, index) => QUERIES[index % QUERIES.length]!);
    const waves: Array<Extract<SimProcessMessage, { type: 'stats' }>> = [];
    for (let wave = 0; wave < 2; wave++) {
      const { sent, responseUrls } = await burst(cached.url, slack, queries);
      if (sent.some((s) => s.status !== 200)) throw new Error('a query was not acked');
      await answered(slack, responseUrls);
      waves.push(await simStats(sim, 'stats'));
    }
    const vmReads = (stats: Extract<SimProcessMessage, { type: 'stats' }>) =>
      Object.entries(stats.gets).filter(([path]) => path.endsWith('/restorePoints/virtualMachines')).reduce((sum, [, n]) => sum + n, 0);
    const reads = vmReads(waves[1]!);
    const part3 = `3 upstream reads (${settings.concurrency} concurrent queries × 2 waves, CACHE_TTL 60s)`;
    rows.push(
      { part: part3, what: 'appliance reads after wave 1 (in flight, shared)', value: String(vmReads(waves[0]!)) },
      { part: part3, what: 'appliance reads after wave 2 (cached)', value: String(reads), goal: '1', met: reads === 1 },
      { part: part3, what: 'restore-point page requests / logins in all', value: `${waves[1]!.pageRequests} / ${waves[1]!.passwordLogins}` },
    );
    log(`  upstream: ${reads} read(s) for ${2 * settings.concurrency} queries; gets ${JSON.stringify(waves[1]!.gets)}`);
    void median;
    return rows;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await slack.close();
  }
}
