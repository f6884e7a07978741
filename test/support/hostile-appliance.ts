/**
 * A small hostile appliance on loopback: a plain node:http server that logs in like v8.1 and
 * answers everything else through a handler the test writes, with the raw response at hand
 * (half a body, a reset socket, an endless stream, a redirect). For faults the simulator's
 * canned answers cannot make.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | null;
  readonly body: string;
  /** 1 for the first request served. */
  readonly index: number;
}

/** Handles a request, or returns false to let the default (login, system/about, 404) answer. */
export type HostileHandler = (request: HostileRequest, response: ServerResponse, raw: IncomingMessage) => boolean | Promise<boolean>;

export interface HostileAppliance {
  readonly url: string;
  readonly requests: HostileRequest[];
  /** Replaces the handler (tests change it between reads). */
  handle: HostileHandler;
  close(): Promise<void>;
}

const TOKEN = { access_token: 'hostile-access', refresh_token: 'hostile-refresh', token_type: 'bearer', expires_in: 3600 };

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** A v8.1 page envelope. */
export function pageOf(results: readonly unknown[], extra: { offset?: number; limit?: number; totalCount?: number | null } = {}): unknown {
  return { offset: extra.offset ?? 0, limit: extra.limit ?? results.length, totalCount: extra.totalCount === undefined ? results.length : extra.totalCount, results };
}

export async function startHostileAppliance(handle: HostileHandler = () => false): Promise<HostileAppliance> {
  const requests: HostileRequest[] = [];
  const appliance = { handle } as { handle: HostileHandler };
  const server = createServer(async (raw, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of raw) chunks.push(chunk as Buffer);
    const url = new URL(raw.url ?? '/', 'http://hostile');
    const request: HostileRequest = {
      method: raw.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: raw.headers.authorization ?? null,
      body: Buffer.concat(chunks).toString('utf8'),
      index: requests.length + 1,
    };
    requests.push(request);
    try {
      if (await appliance.handle(request, response, raw)) return;
    } catch (error) {
      if (!response.headersSent) sendJson(response, 500, { title: String(error) });
      return;
    }
    if (request.path === '/api/oauth2/token' && request.method === 'POST') return sendJson(response, 200, TOKEN);
    if (request.path === '/api/oauth2/token' && request.method === 'DELETE') return void response.writeHead(204).end();
    if (request.path === '/api/v8.1/system/about') return sendJson(response, 200, { serverVersion: '8.1.0.0' });
    if (/^\/api\/v8\.1\/restorePoints\//.test(request.path)) return sendJson(response, 200, pageOf([]));
    sendJson(response, 404, { title: 'Not Found', status: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(appliance, {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
