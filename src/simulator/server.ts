/**
 * The embedded appliance: a real HTTP(S) server speaking the subset of the Veeam Backup for
 * Microsoft Azure REST API the bot uses, for the demo and for tests. Faults are switches on a
 * running simulator, so a test can break it mid-read.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiVersion } from '../veeam/api-versions.ts';
import type { WorkloadKind } from '../restore-points/model.ts';
import { recordCount, type Dataset, type RecordSource } from './dataset.ts';
import { inventoryRoute, pointsOfVm } from './inventory-routes.ts';
import { PageWriter, wireSession, type Shape } from './records.ts';

/** Appliance 8.1 serves API v6…v8.1; appliance 1.0 serves v1 only. */
export const APPLIANCE_8_1: readonly ApiVersion[] = ['v6', 'v7', 'v8', 'v8.1'];
export const APPLIANCE_1_0: readonly ApiVersion[] = ['v1'];

export interface SimUser {
  readonly username: string;
  readonly password: string;
  /** The login answers with an MFA challenge instead of tokens. */
  readonly mfa?: boolean;
}

export interface SimRequest {
  readonly method: string;
  /** Path without the query, e.g. /api/v8.1/restorePoints/virtualMachines. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** 1 for the first request the simulator served. */
  readonly index: number;
}

export interface SimAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON (problem+json for 4xx/5xx unless a content-type header says otherwise); bytes as they are. */
  readonly body?: string | Uint8Array | object;
  readonly delayMs?: number;
  /** Drop the connection without answering (after delayMs). */
  readonly destroy?: boolean;
}

export interface SimFailure {
  readonly status: number;
  readonly retryAfterSeconds?: number;
  /** Raw body; a problem+json document when absent. */
  readonly body?: string;
  readonly contentType?: string;
  /** Only requests whose path matches; others pass. */
  readonly path?: RegExp;
}

export interface SimulatorFaults {
  tokenLifetimeSeconds: number;
  /** Added to every API answer (not the token endpoint). */
  latencyMs: number;
  /** The largest Limit served; larger asks are capped silently (and the cap echoed). */
  limitCap: number | null;
  nullTotalCount: boolean;
  /** Serve the first page whatever the Offset. */
  ignoreOffset: boolean;
  refuseRefresh: boolean;
  /** Canned failures for the next API requests, first in first out. */
  failures: SimFailure[];
  /** Sees every request first; an answer replaces normal handling. */
  intercept: ((request: SimRequest) => SimAnswer | undefined | Promise<SimAnswer | undefined>) | null;
}

export interface SimulatorOptions {
  readonly dataset: Dataset;
  readonly versions?: readonly ApiVersion[];
  readonly users?: readonly SimUser[];
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly now?: () => number;
  readonly faults?: Partial<SimulatorFaults>;
  readonly host?: string;
  readonly port?: number;
  readonly serverVersion?: string;
}

export interface SimulatorStats {
  requests: number;
  passwordLogins: number;
  refreshes: number;
  logouts: number;
  /** GETs per path, e.g. "/api/v8.1/restorePoints/virtualMachines" → pages served. */
  readonly gets: Map<string, number>;
  /** Every access and refresh token issued, so tests can look for them where they must not be. */
  readonly tokensIssued: string[];
}

export interface Simulator {
  readonly url: string;
  readonly faults: SimulatorFaults;
  readonly stats: SimulatorStats;
  /** Fail the next `count` API requests (optionally only those matching failure.path). */
  failNext(count: number, failure: SimFailure): void;
  /** Every access token issued so far stops working (as if they had all expired). */
  revokeAccessTokens(): void;
  /** Restore-point page GETs served (all collections). */
  pageRequests(): number;
  close(): Promise<void>;
}

export const DEFAULT_SIM_USER: SimUser = { username: 'restorepoints', password: 'demo-password' };

const DEFAULT_FAULTS: SimulatorFaults = {
  tokenLifetimeSeconds: 3600,
  latencyMs: 0,
  limitCap: null,
  nullTotalCount: false,
  ignoreOffset: false,
  refuseRefresh: false,
  failures: [],
  intercept: null,
};

/** Where each version keeps each collection (v4 and v5 still use the v1 path for VMs). */
function collectionPaths(version: ApiVersion): Partial<Record<WorkloadKind, string[]>> {
  const legacy = ['v1', 'v2', 'v3', 'v4', 'v5'].includes(version);
  const paths: Partial<Record<WorkloadKind, string[]>> = { vm: [legacy ? 'restorePoints' : 'restorePoints/virtualMachines'] };
  if (version !== 'v1' && version !== 'v2') paths.sql = ['restorePoints/sql'];
  if (!legacy || version === 'v4' || version === 'v5') paths.fileShare = ['restorePoints/fileShares'];
  if (!legacy && version !== 'v6') paths.cosmosDb = ['restorePoints/cosmosDb/repository', 'restorePoints/cosmosDb/continuous'];
  return paths;
}

const shapeOf = (version: ApiVersion): Shape => (['v1', 'v2', 'v3'].includes(version) ? 'v1' : 'current');

/**
 * A problem document in the shape Veeam's v8.1 document gives for the status: `traceId` only
 * where the schema has one (ProblemDetails400, ProblemDetails404, and the token endpoint's 401),
 * no `detail` on 403 (ProblemDetails403); any status the operations do not list (5xx, 429…) gets
 * the generic ProblemDetails, which has no `traceId`. Every schema forbids other fields.
 */
function problem(status: number, title: string, detail: string, extra: object = {}, traced = status === 400 || status === 404) {
  return {
    type: `https://httpstatuses.io/${status}`,
    title,
    status,
    ...(status === 403 ? {} : { detail }),
    ...(traced ? { traceId: `00-${randomBytes(16).toString('hex')}-01` } : {}),
    ...extra,
  };
}

function send(response: ServerResponse, answer: SimAnswer): void {
  const headers: Record<string, string> = { ...answer.headers };
  let text = '';
  if (typeof answer.body === 'string') text = answer.body;
  else if (answer.body !== undefined && !(answer.body instanceof Uint8Array)) {
    text = JSON.stringify(answer.body);
    headers['content-type'] ??= answer.status >= 400 ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8';
  }
  // Encoded once: measuring the length and then writing the text would encode a page twice.
  const bytes = answer.body instanceof Uint8Array ? answer.body : Buffer.from(text, 'utf8');
  headers['content-length'] = String(bytes.length);
  response.writeHead(answer.status, headers);
  response.end(bytes);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Query parameters are case-insensitive on the appliance (ASP.NET model binding). */
function queryNumber(query: URLSearchParams, name: string): number | null {
  for (const [key, value] of query) {
    if (key.toLowerCase() === name.toLowerCase() && /^\d+$/.test(value)) return Number(value);
  }
  return null;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const versions = options.versions ?? APPLIANCE_8_1;
  const users = options.users ?? [DEFAULT_SIM_USER];
  const faults: SimulatorFaults = { ...DEFAULT_FAULTS, ...options.faults, failures: [...(options.faults?.failures ?? [])] };
  const stats: SimulatorStats = { requests: 0, passwordLogins: 0, refreshes: 0, logouts: 0, gets: new Map(), tokensIssued: [] };
  const accessTokens = new Map<string, { username: string; expiresAt: number }>();
  const refreshTokens = new Map<string, string>();
  let baseUrl = '';
  /** Made once the address is known. */
  let pages: PageWriter | null = null;

  const issueTokens = (username: string) => {
    const access = `sim-access-${randomBytes(18).toString('base64url')}`;
    const refresh = `sim-refresh-${randomBytes(18).toString('base64url')}`;
    const lifetime = faults.tokenLifetimeSeconds;
    accessTokens.set(access, { username, expiresAt: now() + lifetime * 1000 });
    refreshTokens.set(refresh, username);
    stats.tokensIssued.push(access, refresh);
    const issued = new Date(now());
    return {
      access_token: access,
      token_type: 'bearer',
      refresh_token: refresh,
      expires_in: lifetime,
      '.issued': issued.toISOString(),
      '.expires': new Date(issued.getTime() + lifetime * 1000).toISOString(),
      userId: randomUUID(),
      username,
      roleName: 'ReadOnlyUser',
      userType: 'Internal',
      latestNewsShown: true,
      mfa_enabled: false,
      mfa_token: null,
      redirectTo: null,
      shortLived: false,
    };
  };

  const handleToken = async (request: IncomingMessage, method: string): Promise<SimAnswer> => {
    if (method === 'DELETE') {
      const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!token || !accessTokens.has(token)) return { status: 401, body: problem(401, 'Unauthorized', 'The access token is not valid.') };
      accessTokens.delete(token);
      stats.logouts++;
      return { status: 204 };
    }
    if (method !== 'POST') return { status: 405, body: problem(405, 'Method Not Allowed', `${method} is not allowed here.`) };
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return { status: 415, body: problem(415, 'Unsupported Media Type', 'Send application/x-www-form-urlencoded.') };
    }
    const form = new URLSearchParams(await readBody(request));
    const grant = form.get('grant_type');
    if (grant === 'Password') {
      const user = users.find((candidate) => candidate.username === form.get('username') && candidate.password === form.get('password'));
      if (!user) return { status: 401, body: problem(401, 'Unauthorized', 'Invalid username or password.', {}, true) };
      stats.passwordLogins++;
      if (user.mfa) {
        return {
          status: 200,
          body: { access_token: null, token_type: null, refresh_token: null, expires_in: 0, mfa_enabled: true, mfa_token: `mfa-${randomBytes(8).toString('hex')}` },
        };
      }
      return { status: 200, body: issueTokens(user.username) };
    }
    if (grant === 'Refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const username = refreshTokens.get(presented);
      if (!username || faults.refuseRefresh) return { status: 400, body: problem(400, 'Bad Request', 'The refresh token is not valid.') };
      refreshTokens.delete(presented); // rotation: the old refresh token is spent
      stats.refreshes++;
      return { status: 200, body: issueTokens(username) };
    }
    return { status: 400, body: problem(400, 'Bad Request', `Unsupported grant_type ${grant ?? '(none)'}.`) };
  };

  const page = (source: RecordSource, query: URLSearchParams, shape: Shape, version: ApiVersion, path = 'restorePoints'): SimAnswer => {
    const asked = queryNumber(query, 'Limit') ?? (version === 'v1' ? 30 : 100);
    const limit = Math.max(1, faults.limitCap === null ? asked : Math.min(asked, faults.limitCap));
    const offset = faults.ignoreOffset ? 0 : (queryNumber(query, 'Offset') ?? 0);
    const total = recordCount(source);
    const end = Math.min(total, offset + limit);
    const totalCount = faults.nullTotalCount ? null : total;
    const self = `${baseUrl}/api/${version}/${path}?Offset=${offset}&Limit=${limit}`;
    if (source.form === 'points') {
      // Written as text, byte for byte what JSON.stringify would send: generating a page must cost
      // far less than reading it, or the simulator, not the client, is what gets measured.
      pages ??= new PageWriter(baseUrl);
      pages.begin(512 + (end - offset) * 800).text(`{"offset":${offset},"limit":${limit},"totalCount":${totalCount},"results":[`);
      for (let index = offset; index < end; index++) pages.point(source.at(index), shape, version, index === offset);
      pages.text(`],"_links":{"self":{"href":${JSON.stringify(self)}}}}`);
      return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: pages.bytes() };
    }
    return {
      status: 200,
      body: { offset, limit, totalCount, results: source.records.slice(offset, end), _links: { self: { href: self } } },
    };
  };

  const handleApi = (version: ApiVersion, rest: string, query: URLSearchParams): SimAnswer => {
    if (rest === 'system/about') {
      return {
        status: 200,
        body: {
          serverVersion: options.serverVersion ?? (version === 'v1' ? '1.0.0.1' : '8.1.0.37'),
          workerVersion: '8.1.0.37',
          flrVersion: '8.1.0.37',
          databaseId: '00000000-0000-4000-8000-00000000da7a',
          copyright: 'Simulated appliance',
          deploymentSubscriptionId: '00000000-0000-4000-8000-00000000501b',
        },
      };
    }
    if (!['v1', 'v2', 'v3', 'v4', 'v5', 'v6'].includes(version)) {
      const listed = (records: readonly unknown[], q: URLSearchParams, path: string) =>
        page({ form: 'raw', records }, q, shapeOf(version), version, path) as { status: number; body: object };
      const answer = inventoryRoute(options.dataset, rest, query, listed, baseUrl, version);
      if (answer) return answer;
      const vmId = [...query].find(([key]) => key.toLowerCase() === 'virtualmachineid')?.[1];
      if (rest === 'restorePoints/virtualMachines' && vmId !== undefined) {
        return page(pointsOfVm(options.dataset.collections.vm, vmId), query, shapeOf(version), version);
      }
    }
    const session = /^jobSessions\/([^/]+)$/.exec(rest);
    if (session) {
      const found = options.dataset.jobSession(decodeURIComponent(session[1]!));
      return found
        ? { status: 200, body: wireSession(found, baseUrl, version) }
        : { status: 404, body: problem(404, 'Not Found', `Job session ${session[1]} was not found.`) };
    }
    for (const [kind, paths] of Object.entries(collectionPaths(version)) as Array<[WorkloadKind, string[]]>) {
      if (!paths.includes(rest)) continue;
      // Cosmos DB continuous points are not simulated: the collection exists and is empty.
      const source = rest.endsWith('/continuous') ? undefined : options.dataset.collections[kind];
      return page(source ?? { form: 'raw', records: [] }, query, shapeOf(version), version);
    }
    return { status: 404, body: problem(404, 'Not Found', `No route for /api/${version}/${rest}.`) };
  };

  const authorized = (request: IncomingMessage): boolean => {
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const entry = token ? accessTokens.get(token) : undefined;
    return entry !== undefined && entry.expiresAt > now();
  };

  const route = async (request: IncomingMessage, simRequest: SimRequest): Promise<SimAnswer> => {
    const intercepted = faults.intercept ? await faults.intercept(simRequest) : undefined;
    if (intercepted) return intercepted;
    if (simRequest.path === '/api/oauth2/token') return handleToken(request, simRequest.method);
    const api = /^\/api\/(v\d+(?:\.\d+)?)\/(.+)$/.exec(simRequest.path);
    if (!api) return { status: 404, body: problem(404, 'Not Found', `No route for ${simRequest.path}.`) };
    const failure = faults.failures[0];
    if (failure && (!failure.path || failure.path.test(simRequest.path))) {
      faults.failures.shift();
      return {
        status: failure.status,
        headers: {
          ...(failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) }),
          ...(failure.contentType ? { 'content-type': failure.contentType } : {}),
        },
        body: failure.body ?? problem(failure.status, 'Simulated failure', `The simulator was told to fail this request with ${failure.status}.`),
        delayMs: faults.latencyMs,
      };
    }
    const version = api[1] as ApiVersion;
    if (!versions.includes(version)) {
      return { status: 404, body: problem(404, 'Not Found', `API version ${version} is not supported by this appliance.`) };
    }
    if (!authorized(request)) return { status: 401, body: problem(401, 'Unauthorized', 'The access token is missing, expired or revoked.') };
    if (simRequest.method !== 'GET') return { status: 405, body: problem(405, 'Method Not Allowed', `${simRequest.method} is not simulated.`) };
    stats.gets.set(simRequest.path, (stats.gets.get(simRequest.path) ?? 0) + 1);
    return { ...handleApi(version, api[2]!, simRequest.query), delayMs: faults.latencyMs };
  };

  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    stats.requests++;
    const url = new URL(request.url ?? '/', 'http://simulator');
    const simRequest: SimRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      index: stats.requests,
    };
    try {
      const answer = await route(request, simRequest);
      if (answer.delayMs) await sleep(answer.delayMs);
      if (answer.destroy) {
        request.socket.destroy();
        return;
      }
      send(response, answer);
    } catch (error) {
      send(response, { status: 500, body: problem(500, 'Internal Server Error', String(error)) });
    }
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;

  return {
    url: baseUrl,
    faults,
    stats,
    failNext(count, failure) {
      for (let index = 0; index < count; index++) faults.failures.push(failure);
    },
    revokeAccessTokens() {
      accessTokens.clear();
    },
    pageRequests() {
      let pages = 0;
      for (const [path, count] of stats.gets) if (path.includes('/restorePoints')) pages += count;
      return pages;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
