/**
 * A small fake of Slack's Web API (`/api/<method>`) and of `response_url`s, on 127.0.0.1, for tests
 * that run the real Bolt app and the real `WebClient` against it (`clientOptions.slackApiUrl`).
 *
 * What it does like Slack:
 * - decodes `application/x-www-form-urlencoded` (what `WebClient` sends), JSON and multipart
 *   bodies; JSON-encoded form fields (`blocks`, `attachments`, `metadata`, …) are parsed back;
 *   other form values stay strings, as on the wire (`unfurl_links: 'false'`);
 * - takes the token from `Authorization: Bearer …` (or a `token` field); no token → `not_authed`;
 * - answers HTTP 200 with `{ ok: false, error }` for API errors, 429 + `Retry-After` when scripted;
 * - `chat.postMessage` / `chat.postEphemeral` / `chat.update`: `channel_not_found` for a missing or
 *   unknown channel (and for a private one the bot is not in; public ones work without joining,
 *   as with `chat:write.public`), `no_text` without text, blocks or attachments, and
 *   `invalid_blocks` (with `errors`) when the message breaks a limit checked by slack-limits.ts;
 * - `response_url`s: JSON posts, at most 5 successful uses, then (or once expired) 404 `expired_url`.
 *
 * Stricter than Slack, on purpose: a message without a top-level `text`, over the 10,000-character
 * block-text budget, or with a raw `<!…>` / `<@…>` mention is answered `invalid_blocks` too (the
 * bot's own rules, see slack-limits.ts); Slack itself would only warn or fail later.
 *
 * Not modelled: the 30-minute lifetime of a response_url (use `expireResponseUrl`), real rate
 * limits (script a 429), scopes other than the `x-oauth-scopes` header.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { lastFailure, pollUntil } from './poll.ts';
import { slackLimitViolations } from './slack-limits.ts';

export interface SlackCall {
  /** Web API method, e.g. `chat.postMessage`. */
  readonly method: string;
  /** The decoded request body (JSON-encoded form fields such as `blocks` parsed back into values). */
  readonly body: Record<string, unknown>;
  /** The token from `Authorization: Bearer …`, else from a `token` field, else null. */
  readonly token: string | null;
  /** `Date.now()` when the request arrived. */
  readonly at: number;
  /** The request's content type, e.g. `application/x-www-form-urlencoded`. */
  readonly contentType: string;
  /** The raw request body. */
  readonly raw: string;
  /** The HTTP status the fake answered (or will answer, after a scripted delay); 0 for a hang-up. */
  readonly status: number;
  /** The body the fake answered: an object for JSON answers, a string for a scripted raw body. */
  readonly response: Record<string, unknown> | string | null;
}

export interface ResponseUrlPost {
  readonly url: string;
  /** The parsed JSON body; `{}` when it was not JSON. */
  readonly body: Record<string, unknown>;
  readonly at: number;
  readonly raw: string;
  /** 200 when accepted; 404 (`expired_url`), 400 (`invalid_blocks`, `no_text`, `invalid_payload`)… */
  readonly status: number;
  /** The answer's body text (`ok`, `expired_url`, …). */
  readonly answer: string;
}

export interface ScriptedAnswer {
  /**
   * The JSON answer (e.g. `{ ok: false, error: 'ratelimited' }`), or a raw string sent as text/plain.
   * Omitted: `{ ok: false, error: 'ratelimited' }` for a 429, else what the fake would have answered.
   */
  body?: Record<string, unknown> | string;
  /** HTTP status; 200 unless given. */
  status?: number;
  /** Extra response headers, e.g. `{ 'Retry-After': '1' }`. */
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the connection instead of answering (a network error for the client). */
  hangUp?: boolean;
}

/** What a default-answer override sees of the request. */
export interface SlackRequest {
  readonly method: string;
  readonly body: Record<string, unknown>;
  readonly token: string | null;
}

export interface ChannelSettings {
  exists?: boolean;
  isMember?: boolean;
  isPrivate?: boolean;
  name?: string;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/`: give it to `clientOptions.slackApiUrl` (WebClient appends method names). */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  /** A fresh response_url served by this fake; `name` only makes it readable in failures. */
  responseUrl(name?: string): string;
  /** Every Web API call, in arrival order. */
  readonly calls: readonly SlackCall[];
  /** Every POST to a response_url (accepted or not), in arrival order. */
  readonly responses: readonly ResponseUrlPost[];
  callsTo(method: string): SlackCall[];
  /**
   * Polls `predicate` every 10 ms until it returns true (a throw counts as "not yet": `expect`
   * inside works); rejects after `timeoutMs` (default 2000) with what was received so far.
   * Uses real timers: do not call it under `vi.useFakeTimers()` without `shouldAdvanceTime`.
   */
  waitFor(predicate: () => boolean | void, timeoutMs?: number, description?: string): Promise<void>;
  /**
   * Script the answers to the next calls of `method` (a Web API method, or a response_url from
   * `responseUrl()`), one answer per call, in order. Scripts queue per method; unscripted calls get
   * the default answer.
   */
  script(method: string, ...answers: ScriptedAnswer[]): void;
  /**
   * Replace the default answer of a Web API method for every unscripted call (null restores the
   * built-in one). A function gets the request and may return a fresh answer each time.
   */
  setDefault(method: string, answer: ScriptedAnswer | ((request: SlackRequest) => ScriptedAnswer) | null): void;
  /** The `tz` users.info answers for this user (IANA zone; default `UTC`). */
  setUserTimeZone(userId: string, tz: string): void;
  /** exists:false → conversations.info and chat.postMessage answer `channel_not_found`. */
  setChannel(id: string, info: ChannelSettings): void;
  /** Later POSTs to this response_url get 404 `expired_url`. */
  expireResponseUrl(url: string): void;
  /** Forget calls, posts, scripts, defaults, users, channels and response_urls. */
  reset(): void;
  close(): Promise<void>;
}

/** The first `ts` chat.postMessage answers; each later one is 100 µs later. */
export const FIRST_TS_SECONDS = 1764150000;
export const BOT_USER_ID = 'UBOT';
export const BOT_ID = 'BBOT';
export const TEAM_ID = 'T0TEST';
export const DEFAULT_SCOPES = 'commands,chat:write,chat:write.public,app_mentions:read,users:read';
export const MAX_RESPONSE_URL_USES = 5;

/** Form fields WebClient JSON-encodes (non-primitive arguments) and the fake decodes back. */
const JSON_FIELDS: ReadonlySet<string> = new Set([
  'blocks',
  'attachments',
  'metadata',
  'view',
  'unfurls',
  'user_auth_blocks',
  'user_auth_message',
  'file_uploads',
]);

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json | string;
  headers: Record<string, string>;
  delayMs: number;
  hangUp: boolean;
}

interface ChannelState {
  exists: boolean;
  isMember: boolean;
  isPrivate: boolean;
  name: string;
}

interface ResponseUrlState {
  uses: number;
  expired: boolean;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJsonObject(text: string): Json | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function decodeFormValue(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // left as sent: the checker then reports it
  }
}

async function decodeBody(raw: Buffer, contentType: string, query: URLSearchParams): Promise<Json> {
  const body: Json = {};
  for (const [key, value] of query) body[key] = decodeFormValue(key, value);
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return body;
  if (type === 'application/json') {
    return { ...body, ...(parseJsonObject(raw.toString('utf8')) ?? {}) };
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form) {
      body[key] = typeof value === 'string' ? decodeFormValue(key, value) : { file: value.name, size: value.size };
    }
    return body;
  }
  // application/x-www-form-urlencoded, and anything else read as such
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) body[key] = decodeFormValue(key, value);
  return body;
}

function bearer(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function offsetSeconds(tz: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = name === undefined ? null : /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (match === null) return 0;
  const sign = match[1] === '-' ? -1 : 1;
  return sign * (Number(match[2]) * 3600 + Number(match[3]) * 60);
}

function zoneLabel(tz: string, at: Date): string {
  return (
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
      .formatToParts(at)
      .find((part) => part.type === 'timeZoneName')?.value ?? tz
  );
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function hasContent(body: Json): boolean {
  return nonEmptyString(body.text) || body.blocks !== undefined || body.attachments !== undefined;
}

function describeCalls(calls: readonly SlackCall[], posts: readonly ResponseUrlPost[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
  const apiLine =
    counts.size === 0 ? 'no Web API calls' : `Web API calls: ${[...counts].map(([m, n]) => `${m}×${n}`).join(', ')}`;
  const postLine = `response_url posts: ${posts.length}${posts.length > 0 ? ` (statuses ${posts.map((p) => p.status).join(', ')})` : ''}`;
  const last = calls.at(-1);
  const lastLine =
    last === undefined
      ? ''
      : `\nlast call: ${last.method} → ${last.status} ${typeof last.response === 'string' ? last.response : JSON.stringify(last.response)}`;
  return `${apiLine}; ${postLine}${lastLine}`;
}

class FakeSlackServer implements FakeSlack {
  readonly apiUrl: string;
  readonly baseUrl: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private recordedCalls: SlackCall[] = [];
  private recordedPosts: ResponseUrlPost[] = [];
  private scripts = new Map<string, ScriptedAnswer[]>();
  private defaults = new Map<string, ScriptedAnswer | ((request: SlackRequest) => ScriptedAnswer)>();
  private userZones = new Map<string, string>();
  private channels = new Map<string, ChannelState>();
  private responseUrls = new Map<string, ResponseUrlState>();
  private tsCounter = 0;
  private responseUrlCounter = 0;

  constructor(server: Server, port: number) {
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`fake-slack failed: ${error instanceof Error ? error.stack : String(error)}`);
        }
      });
    });
  }

  get calls(): readonly SlackCall[] {
    return this.recordedCalls;
  }

  get responses(): readonly ResponseUrlPost[] {
    return this.recordedPosts;
  }

  callsTo(method: string): SlackCall[] {
    return this.recordedCalls.filter((call) => call.method === method);
  }

  responseUrl(name = 'response'): string {
    this.responseUrlCounter += 1;
    const path = `/commands/${TEAM_ID}/${1000000000 + this.responseUrlCounter}/${encodeURIComponent(name)}`;
    this.responseUrls.set(path, { uses: 0, expired: false });
    return `${this.baseUrl}${path}`;
  }

  expireResponseUrl(url: string): void {
    const state = this.responseUrls.get(this.pathOf(url));
    if (state === undefined) throw new Error(`expireResponseUrl: ${url} was not issued by this fake (or was reset)`);
    state.expired = true;
  }

  script(method: string, ...answers: ScriptedAnswer[]): void {
    const key = this.scriptKey(method);
    const queue = this.scripts.get(key) ?? [];
    queue.push(...answers);
    this.scripts.set(key, queue);
  }

  setDefault(method: string, answer: ScriptedAnswer | ((request: SlackRequest) => ScriptedAnswer) | null): void {
    if (answer === null) this.defaults.delete(method);
    else this.defaults.set(method, answer);
  }

  setUserTimeZone(userId: string, tz: string): void {
    new Intl.DateTimeFormat('en-US', { timeZone: tz }); // throws a RangeError for an unknown zone
    this.userZones.set(userId, tz);
  }

  setChannel(id: string, info: ChannelSettings): void {
    const current = this.channel(id);
    this.channels.set(id, {
      exists: info.exists ?? current.exists,
      isMember: info.isMember ?? current.isMember,
      isPrivate: info.isPrivate ?? current.isPrivate,
      name: info.name ?? current.name,
    });
  }

  async waitFor(predicate: () => boolean | void, timeoutMs = 2000, description?: string): Promise<void> {
    const poll = await pollUntil(predicate, timeoutMs);
    if (poll.met) return;
    const what = description ?? predicate.toString();
    const why = lastFailure(poll.lastError);
    throw new Error(
      `fake-slack waitFor: not met within ${timeoutMs} ms: ${what}${why}\n${describeCalls(this.recordedCalls, this.recordedPosts)}`,
    );
  }

  reset(): void {
    this.recordedCalls = [];
    this.recordedPosts = [];
    this.scripts = new Map();
    this.defaults = new Map();
    this.userZones = new Map();
    this.channels = new Map();
    this.responseUrls = new Map();
    // ts keep increasing across resets, so a ts never repeats within one fake
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error === undefined ? resolve() : reject(error))),
    );
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  // ---- internals ----

  private pathOf(url: string): string {
    return new URL(url, this.baseUrl).pathname;
  }

  private scriptKey(method: string): string {
    return method.startsWith('http://') || method.startsWith('https://') ? this.pathOf(method) : method;
  }

  private nextScripted(key: string): ScriptedAnswer | undefined {
    const queue = this.scripts.get(key);
    const next = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.scripts.delete(key);
    return next;
  }

  private channel(id: string): ChannelState {
    return this.channels.get(id) ?? { exists: true, isMember: true, isPrivate: false, name: id.toLowerCase() };
  }

  private nextTs(): string {
    this.tsCounter += 1;
    const micros = this.tsCounter * 100;
    const seconds = FIRST_TS_SECONDS + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    const at = Date.now();
    if (url.pathname.startsWith('/api/')) {
      await this.handleApi(req, res, url, raw, at);
    } else if (url.pathname.startsWith('/commands/')) {
      this.handleResponseUrl(req, res, url, raw, at);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('fake-slack: unknown path (Web API is under /api/, response_urls under /commands/)');
    }
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer, at: number): Promise<void> {
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    const contentType = req.headers['content-type'] ?? '';
    const body = await decodeBody(raw, contentType, url.searchParams);
    const token = bearer(req.headers.authorization) ?? (nonEmptyString(body.token) ? body.token : null);
    const request: SlackRequest = { method, body, token };

    const scripted = this.nextScripted(method);
    const answer = this.answer(request, scripted);
    this.recordedCalls.push({
      method,
      body,
      token,
      at,
      contentType,
      raw: raw.toString('utf8'),
      status: answer.hangUp ? 0 : answer.status,
      response: answer.hangUp ? null : answer.body,
    });
    this.send(res, answer);
  }

  /** A scripted answer, else an overridden default, else the built-in default. */
  private answer(request: SlackRequest, scripted: ScriptedAnswer | undefined): Answer {
    const override = this.defaults.get(request.method);
    const chosen = scripted ?? (typeof override === 'function' ? override(request) : override);
    const status = chosen?.status ?? 200;
    let body: Json | string;
    if (chosen?.body !== undefined) body = chosen.body;
    else if (status === 429) body = { ok: false, error: 'ratelimited' };
    else body = this.builtInAnswer(request);
    return {
      status,
      body,
      headers: { 'x-oauth-scopes': DEFAULT_SCOPES, ...chosen?.headers },
      delayMs: chosen?.delayMs ?? 0,
      hangUp: chosen?.hangUp ?? false,
    };
  }

  private builtInAnswer({ method, body, token }: SlackRequest): Json {
    if (token === null) return { ok: false, error: 'not_authed' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://test.slack.com/',
          team: 'Test team',
          user: 'restorepoints',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const problem = this.messageProblem(body, false);
        if (problem !== null) return problem;
        const ts = this.nextTs();
        const message: Json = { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, text: body.text ?? '', ts };
        if (body.blocks !== undefined) message.blocks = body.blocks;
        if (body.thread_ts !== undefined) message.thread_ts = body.thread_ts;
        return { ok: true, channel: body.channel, ts, message };
      }
      case 'chat.postEphemeral': {
        if (!nonEmptyString(body.user)) return { ok: false, error: 'user_not_in_channel' };
        const problem = this.messageProblem(body, false);
        if (problem !== null) return problem;
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'chat.update': {
        const problem = this.messageProblem(body, true);
        if (problem !== null) return problem;
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text ?? '', message: { text: body.text ?? '', blocks: body.blocks } };
      }
      case 'users.info': {
        if (!nonEmptyString(body.user)) return { ok: false, error: 'user_not_found' };
        const tz = this.userZones.get(body.user) ?? 'UTC';
        const now = new Date();
        return {
          ok: true,
          user: {
            id: body.user,
            team_id: TEAM_ID,
            name: body.user.toLowerCase(),
            real_name: `User ${body.user}`,
            deleted: false,
            is_bot: body.user === BOT_USER_ID,
            tz,
            tz_label: zoneLabel(tz, now),
            tz_offset: offsetSeconds(tz, now),
          },
        };
      }
      case 'conversations.info': {
        if (!nonEmptyString(body.channel)) return { ok: false, error: 'channel_not_found' };
        const channel = this.channel(body.channel);
        if (!channel.exists || (channel.isPrivate && !channel.isMember)) return { ok: false, error: 'channel_not_found' };
        return {
          ok: true,
          channel: {
            id: body.channel,
            name: channel.name,
            is_channel: !channel.isPrivate,
            is_group: false,
            is_im: false,
            is_private: channel.isPrivate,
            is_archived: false,
            is_member: channel.isMember,
          },
        };
      }
      default:
        return { ok: true };
    }
  }

  /** Slack's errors for a chat.* message, or null when it would be posted. */
  private messageProblem(body: Json, needsTs: boolean): Json | null {
    if (!nonEmptyString(body.channel)) return { ok: false, error: 'channel_not_found' };
    const channel = this.channel(body.channel);
    if (!channel.exists || (channel.isPrivate && !channel.isMember)) return { ok: false, error: 'channel_not_found' };
    if (needsTs && !nonEmptyString(body.ts)) return { ok: false, error: 'message_not_found' };
    if (!hasContent(body)) return { ok: false, error: 'no_text' };
    const violations = slackLimitViolations({ text: body.text, blocks: body.blocks });
    if (violations.length > 0) {
      return {
        ok: false,
        error: 'invalid_blocks',
        errors: violations,
        response_metadata: { messages: violations.map((v) => `[ERROR] ${v}`) },
      };
    }
    return null;
  }

  private handleResponseUrl(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer, at: number): void {
    const fullUrl = `${this.baseUrl}${url.pathname}`;
    const text = raw.toString('utf8');
    const parsed = parseJsonObject(text);
    const body = parsed ?? {};
    const scripted = this.nextScripted(url.pathname);

    let status: number;
    let answer: string;
    const state = this.responseUrls.get(url.pathname);
    if (req.method !== 'POST') [status, answer] = [405, 'method_not_allowed'];
    else if (state === undefined) [status, answer] = [404, 'no_such_response_url (not issued by this fake, or reset)'];
    else if (state.expired || state.uses >= MAX_RESPONSE_URL_USES) [status, answer] = [404, 'expired_url'];
    else if (parsed === null) [status, answer] = [400, 'invalid_payload'];
    else if (body.delete_original === true || body.delete_original === 'true') [status, answer] = [200, 'ok'];
    else if (!hasContent(body)) [status, answer] = [400, 'no_text'];
    else if (slackLimitViolations(body).length > 0) [status, answer] = [400, 'invalid_blocks'];
    else [status, answer] = [200, 'ok'];

    if (scripted !== undefined) {
      status = scripted.status ?? 200;
      answer = typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body ?? { ok: status < 300 });
    }
    if (state !== undefined && status >= 200 && status < 300) state.uses += 1;

    this.recordedPosts.push({ url: fullUrl, body, at, raw: text, status: scripted?.hangUp ? 0 : status, answer });
    this.send(res, {
      status,
      body: answer,
      headers: scripted?.headers ?? {},
      delayMs: scripted?.delayMs ?? 0,
      hangUp: scripted?.hangUp ?? false,
    });
  }

  private send(res: ServerResponse, answer: Answer): void {
    const write = (): void => {
      if (answer.hangUp) {
        res.socket?.destroy();
        return;
      }
      const isJson = typeof answer.body !== 'string';
      const payload = isJson ? JSON.stringify(answer.body) : String(answer.body);
      res.writeHead(answer.status, {
        'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
        ...answer.headers,
      });
      res.end(payload);
    };
    if (answer.delayMs <= 0) {
      write();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      write();
    }, answer.delayMs);
    this.timers.add(timer);
  }
}

/** Start a fake Slack on 127.0.0.1 and a free port. Close it in `afterAll`/`afterEach`. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const server = createServer({ keepAliveTimeout: 1000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return new FakeSlackServer(server, port);
}
