/**
 * A node-cron run coordinator backed by Redis, so that exactly one replica posts each digest.
 *
 * node-cron asks `shouldRun(key, ttlMs)` once per fire, on every replica, with the same key
 * (`<schedule name>:<fire time ISO>`). The first replica to `SET <prefix><key> <replica> NX PX
 * <ttlMs>` wins; the others get nil and skip ('not-elected'). When Redis cannot be asked
 * (down, unreachable, slow), `shouldRun` throws: node-cron then skips the fire on this replica
 * ('coordinator-error', fail-closed) rather than risk a second post.
 *
 * The connection never hangs start-up or shutdown: the first connect is bounded, commands fail
 * at once while disconnected (`disableOfflineQueue`) and time out when Redis does not answer,
 * reconnection runs in the background, and `close()` falls back to dropping the socket.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { RunCoordinator } from 'node-cron';
import type { Logger } from '../log.ts';
import { within, withTimeout } from '../lib/timeout.ts';

export interface RedisCoordinator extends RunCoordinator {
  close(): Promise<void>;
}

export interface RedisCoordinatorOptions {
  /** How long the first connection may take before start-up fails; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Prefix of every key; default 'restorepoints:'. */
  readonly keyPrefix?: string;
  /** How long one command may wait for Redis; default 3000 ms. */
  readonly commandTimeoutMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'restorepoints:';
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 3_000;
const MAX_RECONNECT_DELAY_MS = 5_000;
const CLOSE_TIMEOUT_MS = 2_000;
/** node-cron passes its lease; never hold a fire for less than this. */
const MIN_TTL_MS = 60_000;

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`; never throws. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: still hide anything that looks like credentials before an '@'.
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** A message that cannot carry the URL's password (some errors quote the URL back). */
function safeMessage(error: unknown, url: string, redacted: string): string {
  let message = messageOf(error);
  if (url !== '') message = message.split(url).join(redacted);
  try {
    const password = new URL(url).password;
    if (password !== '') {
      message = message.split(password).join('***');
      const decoded = decodeURIComponent(password);
      if (decoded !== '') message = message.split(decoded).join('***');
    }
  } catch {
    // not a URL: nothing more to hide
  }
  return message;
}

/**
 * Connects to Redis (bounded by `connectTimeoutMs`) and returns the coordinator; rejects with
 * a sentence naming the (redacted) URL when Redis cannot be reached in time.
 */
export async function connectRedisCoordinator(
  url: string,
  logger: Logger,
  options: RedisCoordinatorOptions = {},
): Promise<RedisCoordinator> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const redacted = redactRedisUrl(url);
  const log = logger.child({ component: 'redis-coordinator', redis: redacted });
  const replica = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  let everReady = false;
  let closing = false;
  let disconnectedLogged = false;
  const startedAt = Date.now();

  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => {
        if (closing) return false;
        // The first connection is bounded: give up (connect() rejects) once the time is spent.
        if (!everReady && Date.now() - startedAt >= connectTimeoutMs) {
          return new Error(`gave up after ${retries + 1} attempts: ${safeMessage(cause, url, redacted)}`);
        }
        return Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS);
      },
    },
  });

  client.on('error', (error: unknown) => {
    if (closing || !everReady) return; // start-up failures are reported by the rejection below
    const message = safeMessage(error, url, redacted);
    if (!disconnectedLogged) {
      disconnectedLogged = true;
      log.error(
        { err: { message } },
        'lost the connection to Redis: digests are skipped on this replica until it is back (reconnecting in the background)',
      );
    } else {
      log.debug({ err: { message } }, 'Redis still unreachable');
    }
  });
  client.on('ready', () => {
    if (everReady && disconnectedLogged) log.info('reconnected to Redis: digests are coordinated again');
    everReady = true;
    disconnectedLogged = false;
  });

  try {
    // Covers what connectTimeout does not: DNS, TLS, or a server that accepts and never answers.
    await within(client.connect(), connectTimeoutMs, () => {
      throw new Error(`no answer within ${connectTimeoutMs} ms`);
    });
  } catch (error) {
    closing = true;
    client.destroy();
    throw new Error(
      `could not connect to Redis at ${redacted} (REDIS_URL) within ${connectTimeoutMs} ms: ${safeMessage(error, url, redacted)}. ` +
        'Check that Redis runs and is reachable from this replica, or unset REDIS_URL to run a single instance without coordination.',
    );
  }
  log.info({ replica, keyPrefix }, 'connected to Redis: digests are coordinated between replicas');

  const commands = client.withCommandOptions({ timeout: commandTimeoutMs });

  return {
    async shouldRun(key: string, ttlMs: number): Promise<boolean> {
      const redisKey = `${keyPrefix}${key}`;
      if (!client.isReady) {
        throw new Error(`Redis at ${redacted} is not connected; cannot claim ${redisKey}`);
      }
      let reply: unknown;
      try {
        reply = await commands.set(redisKey, replica, {
          condition: 'NX',
          expiration: { type: 'PX', value: Math.max(Math.ceil(ttlMs), MIN_TTL_MS) },
        });
      } catch (error) {
        throw new Error(`Redis at ${redacted} could not claim ${redisKey}: ${safeMessage(error, url, redacted)}`);
      }
      const elected = reply === 'OK';
      log.debug({ key: redisKey, replica, elected }, elected ? 'claimed the fire' : 'another replica claimed the fire');
      return elected;
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      if (!client.isOpen) return;
      try {
        await withTimeout(client.isReady ? client.close() : Promise.reject(new Error('not connected')), CLOSE_TIMEOUT_MS, 'Redis close');
      } catch {
        client.destroy();
      }
      log.debug('Redis connection closed');
    },
  };
}
