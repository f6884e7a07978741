/**
 * The one factory for the Bolt app: Socket Mode when an app-level token is given, else HTTP on
 * PORT with request signing. The Web API client gets a timeout and no retries of its own (the SDK's
 * default retries for about 30 minutes, pauses the whole queue on a 429, and resends posts that
 * Slack may already have made).
 *
 * Socket Mode's own client (apps.connections.open with the app-level token, then the websocket)
 * goes to SLACK_API_URL too, but keeps the SDK's patient reconnection: a bot that cannot reach
 * Slack keeps trying (and keeps answering /healthz) rather than giving up after two retries.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import type { SlackConfig } from '../config/types.ts';
import { applyConnectionTimeouts, sendText, startRouteServer, type ConnectionTimeouts, type Route, type RouteServer } from '../http/routes.ts';
import { lifecycleLogger, type Logger } from '../log.ts';
import { settledWithin } from '../lib/timeout.ts';
import { boltLogger } from './bolt-logger.ts';
import type { SlackDeps } from './deps.ts';
import { registerListeners } from './listeners/register.ts';
import { SIGNATURE_PROPERTY } from './listeners/replays.ts';
import { BotTokenCheck } from './token-check.ts';

export interface SlackAppOptions {
  readonly slack: SlackConfig;
  readonly port: number;
  readonly deps: SlackDeps;
  readonly routes: readonly Route[];
  readonly logger: Logger;
  /** Web API retries after the first attempt; default 0 (a timed-out post must not be resent blindly). */
  readonly webApiRetries?: number;
  readonly webApiTimeoutMs?: number;
  /** Socket Mode timings; production leaves them to the SDK (tests shorten them). */
  readonly socketMode?: SocketModeTimings;
  /** Idle, keep-alive, header and request timeouts of the HTTP server (tests shorten them). */
  readonly httpTimeouts?: ConnectionTimeouts;
}

export interface SocketModeTimings {
  /**
   * Retries of apps.connections.open, `minTimeoutMs` apart and growing by `factor`. Unset: the
   * SDK's own policy (100 retries from 1 s, × 1.3 each time, no cap), which outlasts any Slack
   * outage, though after a long one the next attempt may be minutes away.
   */
  readonly connectRetry?: { readonly retries: number; readonly minTimeoutMs: number; readonly factor?: number };
  /**
   * The client pings every third of this and reconnects when a pong is this late; the pause
   * before the n-th reconnection in a row is n times this. SDK default 5000.
   */
  readonly clientPingTimeoutMs?: number;
  /**
   * How long stop() waits for Slack to answer its close frame before dropping the connection
   * (the SDK alone would wait 30 s, holding the process). Default 2000.
   */
  readonly closeTimeoutMs?: number;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

export interface RunningSlackApp {
  readonly app: App;
  /** The Web API client with the bot token (the digest posts with it). */
  readonly client: webApi.WebClient;
  /** Null once Slack took the bot token; a sentence while it refuses it (for /readyz). */
  tokenProblem(): Promise<string | null>;
  readonly mode: 'socket' | 'http';
  /** The port the routes (and in HTTP mode /slack/events) are served on. */
  readonly port: number;
  /** Socket Mode: the websocket is up. HTTP mode: the server listens (Slack calls us). */
  connected(): boolean;
  /** Stops taking requests; work already acked carries on (wait for it separately). */
  stop(): Promise<void>;
}

/**
 * No retries by default: the SDK resends whatever failed, a post whose answer merely timed out
 * included, and Slack may have posted it already. Posts are resent by the caller, and only when
 * Slack said they were not done (post-fate.ts).
 */
export function slackClientOptions(slack: SlackConfig, retries = 0, timeoutMs = 10_000) {
  return {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: { retries, factor: 2, minTimeout: 500, maxTimeout: 4000 },
    timeout: timeoutMs,
    // A 429 is answered by the caller (the digest honours Retry-After itself); never a stalled queue.
    rejectRateLimitedCalls: true,
  };
}

/**
 * The Web API options of the Socket Mode client, which calls apps.connections.open (with the
 * app-level token) before each connection. No retryConfig by default: the SDK then applies its
 * own reconnection policy, which ours (2 retries) would replace.
 */
export function socketModeClientOptions(slack: SlackConfig, timings: SocketModeTimings = {}, timeoutMs = 10_000) {
  const retry = timings.connectRetry;
  return {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    // Each attempt is bounded (the SDK default waits forever on a silent Slack); the retries go on.
    timeout: timeoutMs,
    // Keep trying for hours, but never wait more than a minute between tries: the SDK's default
    // (100 tries, factor 1.3, no cap) can leave a bot offline for ten minutes after an outage.
    retryConfig: retry
      ? { retries: retry.retries, factor: retry.factor ?? 1, minTimeout: retry.minTimeoutMs }
      : { retries: 1000, factor: 1.3, minTimeout: 1000, maxTimeout: 60_000 },
  };
}


export async function startSlackApp(options: SlackAppOptions): Promise<RunningSlackApp> {
  const { slack, logger } = options;
  const socketMode = slack.appToken !== null;
  const clientOptions = slackClientOptions(slack, options.webApiRetries, options.webApiTimeoutMs);
  const client = new webApi.WebClient(slack.botToken ?? undefined, { ...clientOptions, logger: boltLogger(logger) });
  const tokenCheck = new BotTokenCheck(client, logger);
  const botToken = slack.botToken ?? '';
  const common = {
    // Not `token`: Bolt would check it once at construction and keep a refusal (or a network
    // blip) forever. The check here is renewed after a failure and logs a refusal once.
    authorize: async () => ({ botToken, ...(await tokenCheck.identity()) }),
    logger: boltLogger(logger),
    logLevel: logger.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO,
    clientOptions,
    ignoreSelf: true,
  };
  const routes = options.routes.map((route) => ({
    path: route.path,
    method: route.method,
    handler: (request: IncomingMessage, response: ServerResponse): void => {
      Promise.resolve(route.handler(request, response)).catch((error: unknown) => {
        logger.error({ err: error, path: route.path }, 'an HTTP route failed');
        if (!response.headersSent) sendText(response, 500, 'error\n');
      });
    },
  }));
  const timings = options.socketMode ?? {};
  const socketReceiver = socketMode
    ? new SocketModeReceiver({
        appToken: slack.appToken ?? '',
        logger: common.logger,
        logLevel: common.logLevel,
        // The receiver hands installerOptions.clientOptions to its SocketModeClient's WebClient
        // (without it, apps.connections.open would go to slack.com whatever SLACK_API_URL says).
        installerOptions: { clientOptions: socketModeClientOptions(slack, timings, options.webApiTimeoutMs) },
        ...(timings.clientPingTimeoutMs === undefined ? {} : { clientPingTimeout: timings.clientPingTimeoutMs }),
      })
    : null;
  // Our own HTTPReceiver, as App would make it, but handing each request's signature to the
  // listeners' context: a signed request replayed within Slack's five minutes is answered once.
  const httpReceiver = socketReceiver
    ? null
    : new HTTPReceiver({
        signingSecret: slack.signingSecret ?? '',
        customRoutes: routes,
        processBeforeResponse: false,
        logger: common.logger,
        logLevel: common.logLevel,
        customPropertiesExtractor: (request) => ({ [SIGNATURE_PROPERTY]: request.headers['x-slack-signature'] }),
      });
  const app = new App({ ...common, receiver: socketReceiver ?? httpReceiver! });
  registerListeners(app, options.deps);
  app.error(async (error) => {
    // A refused token is said once, plainly, by the token check; not once per request with a stack.
    if (error.code === 'slack_bolt_authorization_error') logger.debug({ reason: error.message }, 'a request was not authorized');
    else logger.error({ err: error }, 'a Slack listener failed');
  });
  void tokenCheck.check();
  const tokenProblem = () => tokenCheck.problem();

  if (socketReceiver) {
    // Health routes first: the process is alive even while Slack is unreachable.
    const routeServer: RouteServer = await startRouteServer(options.routes, options.port, options.httpTimeouts);
    const socketClient = socketReceiver.client;
    let up = false;
    socketClient.on('connected', () => (up = true));
    // 'close' is the websocket going away (Slack's `disconnect`, a missed pong, a dropped
    // connection); the client then reconnects by itself and says 'disconnected' only when it
    // gives up or is stopped. Readiness must not report a dead connection as up meanwhile.
    socketClient.on('close', () => (up = false));
    socketClient.on('disconnecting', () => (up = false));
    socketClient.on('disconnected', () => (up = false));
    socketClient.on('reconnecting', () => logger.info('reconnecting to Slack (Socket Mode)'));
    try {
      await app.start();
    } catch (error) {
      await routeServer.close();
      throw error;
    }
    lifecycleLogger(logger).info({ port: routeServer.port }, `connected to Slack in Socket Mode; health routes listening on port ${routeServer.port}`);
    return {
      app,
      client,
      tokenProblem,
      mode: 'socket',
      port: routeServer.port,
      connected: () => up,
      stop: async () => {
        const disconnected = new Promise<void>((resolve) => socketClient.once('disconnected', () => resolve()));
        // Sends the close frame and resolves at once (the receiver does not wait for the answer).
        await app.stop();
        if (!(await settledWithin(disconnected, timings.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS))) {
          // No close frame back: a second disconnect drops the connection and its timers now.
          logger.warn('Slack did not answer the websocket close in time; dropping the connection');
          await settledWithin(socketClient.disconnect(), 1_000);
        }
        await routeServer.close();
      },
    };
  }

  const server = (await app.start(options.port)) as Server;
  applyConnectionTimeouts(server, options.httpTimeouts);
  const port = (server.address() as AddressInfo).port;
  lifecycleLogger(logger).info({ port }, `listening on port ${port} for Slack (/slack/events) and the health routes`);
  let listening = true;
  return {
    app,
    client,
    tokenProblem,
    mode: 'http',
    port,
    connected: () => listening,
    stop: async () => {
      listening = false;
      await app.stop();
    },
  };
}
