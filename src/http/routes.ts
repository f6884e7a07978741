/**
 * The bot's own HTTP routes (/healthz, /readyz, /metrics). In HTTP mode Bolt serves them beside
 * /slack/events; in Socket Mode there is no Slack endpoint, so a small server of ours serves
 * them on the same PORT.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  readonly path: string;
  readonly method: 'GET';
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;
}

export function sendText(response: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

/** Alive: the process answers. Nothing it depends on is asked. */
export const healthRoute: Route = {
  path: '/healthz',
  method: 'GET',
  handler: (_request, response) => sendText(response, 200, 'ok\n'),
};

/** Ready: 200 `ready`, or 503 with one line per problem (what is wrong, with the fix when known). */
export function readinessRoute(problems: () => Promise<readonly string[]>): Route {
  return {
    path: '/readyz',
    method: 'GET',
    handler: async (_request, response) => {
      let found: readonly string[];
      try {
        found = await problems();
      } catch (error) {
        found = [`readiness could not be checked: ${(error as Error).message}`];
      }
      if (found.length === 0) sendText(response, 200, 'ready\n');
      else sendText(response, 503, `${found.map((problem) => problem.replace(/\s*\n\s*/g, ' ')).join('\n')}\n`);
    },
  };
}

/** Prometheus exposition of one registry. */
export function metricsRoute(render: () => Promise<{ contentType: string; body: string }>): Route {
  return {
    path: '/metrics',
    method: 'GET',
    handler: async (_request, response) => {
      const { contentType, body } = await render();
      sendText(response, 200, body, contentType);
    },
  };
}

/**
 * How long a connection may sit idle or dribble: Node closes nothing by itself (its server
 * `timeout` is 0), so a client that opens sockets and never sends, or never sends another
 * request, would hold them forever. Slack's requests are small and quick; probes reconnect.
 */
export interface ConnectionTimeouts {
  /** A socket with no traffic at all (never sent a request, or idle between requests) is closed. */
  readonly idleMs: number;
  /** Between two requests on a kept-alive connection; below the load balancer's own (60 s typical). */
  readonly keepAliveMs: number;
  /** The whole request head must arrive within this. */
  readonly headersMs: number;
  /** The whole request (head and body) must arrive within this. */
  readonly requestMs: number;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = { idleMs: 30_000, keepAliveMs: 5_000, headersMs: 10_000, requestMs: 30_000 };

/** Applies the timeouts to a server (ours or Bolt's); Node reads them for every connection and check. */
export function applyConnectionTimeouts(server: Server, timeouts: ConnectionTimeouts = DEFAULT_CONNECTION_TIMEOUTS): void {
  server.timeout = timeouts.idleMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // Node requires headersTimeout <= requestTimeout; both are checked every connectionsCheckingInterval.
  server.requestTimeout = Math.max(timeouts.requestMs, timeouts.headersMs);
  server.headersTimeout = timeouts.headersMs;
}

export interface RouteServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startRouteServer(routes: readonly Route[], port: number, timeouts: ConnectionTimeouts = DEFAULT_CONNECTION_TIMEOUTS): Promise<RouteServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((candidate) => candidate.path === path);
    if (!route) return sendText(response, 404, 'not found\n');
    if (request.method !== route.method) return sendText(response, 405, 'method not allowed\n');
    Promise.resolve(route.handler(request, response)).catch(() => {
      if (!response.headersSent) sendText(response, 500, 'error\n');
    });
  });
  applyConnectionTimeouts(server, timeouts);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
