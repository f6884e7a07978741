/**
 * The Redis run coordinator: which replica posts each digest fire, and that a fire is posted once.
 *
 * Per fire (`<schedule name>:<fire time ISO>`) there are two keys:
 * - the claim, `<prefix><fire>`: `SET NX PX <lease>` by the replica that posts it; released when
 *   that replica stops before posting, so that another replica can claim the fire;
 * - the posted marker, `<prefix>posted:<fire>`: set once the digest went out; no replica claims
 *   a posted fire again (a replica catching up after a restart, or one that saw the claim taken).
 *
 * Redis trouble never silently loses a digest: `claim` throws when Redis cannot answer, and the
 * schedule then posts without coordination (duplicates only while Redis is down, logged). A
 * claim is never written after this replica gave up on it: the claim is a script that compares
 * Redis's own clock with the deadline this replica waits until, so a command stuck in a stalled
 * Redis's socket buffer that runs later writes nothing. Commands fail at once while
 * disconnected (`disableOfflineQueue`) and each one is bounded by `commandTimeoutMs`.
 *
 * A Redis that cannot be reached at start-up does not stop the replica: it starts uncoordinated,
 * keeps reconnecting in the background, and `problem()` says so (for /readyz).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { RunCoordinator } from 'node-cron';
import type { Logger } from '../log.ts';
import { within, withTimeout } from '../lib/timeout.ts';

/** What a claim on one fire found. */
export type FireClaim = 'claimed' | 'taken' | 'posted';

export interface RedisCoordinator extends RunCoordinator {
  /** `shouldRun` for a digest fire: claimed, taken by another replica, or posted already. Throws when Redis cannot answer. */
  claimFire(fire: string, ttlMs: number): Promise<FireClaim>;
  /** The fire's digest went out: no replica claims it again. */
  markPosted(fire: string): Promise<void>;
  /** This replica stops before posting the fire: another replica may claim it now. */
  release(fire: string): Promise<void>;
  /** What is wrong with Redis (for /readyz), or null when it answers. */
  problem(): Promise<string | null>;
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
/** The posted marker outlives any grace window in which a replica could still claim the fire. */
const POSTED_TTL_MS = 24 * 3_600_000;
/** A readiness probe waits this long at most for Redis's PING. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * SET NX, unless Redis's clock is past ARGV[3] (the instant, in Redis's clock, after which this
 * replica no longer waits for the answer) or the fire was posted (KEYS[2], when given).
 */
const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[3]) then return 'late' end
if KEYS[2] ~= nil and redis.call('EXISTS', KEYS[2]) == 1 then return 'posted' end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
return 'taken'`;

/** Deletes the claim only when this replica holds it. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

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
 * For `serve`: connects to Redis, waiting at most `connectTimeoutMs`; when Redis cannot be
 * reached by then, the coordinator is returned anyway (logged), keeps connecting in the
 * background, and its claims fail until it is connected. Never rejects.
 */
export function startRedisCoordinator(url: string, logger: Logger, options: RedisCoordinatorOptions = {}): Promise<RedisCoordinator> {
  return openRedisCoordinator(url, logger, options, false);
}

/**
 * For `check`, and whoever needs Redis now: like startRedisCoordinator, but rejects with a
 * sentence naming the (redacted) URL when Redis cannot be reached within `connectTimeoutMs`.
 */
export function connectRedisCoordinator(url: string, logger: Logger, options: RedisCoordinatorOptions = {}): Promise<RedisCoordinator> {
  return openRedisCoordinator(url, logger, options, true);
}

async function openRedisCoordinator(url: string, logger: Logger, options: RedisCoordinatorOptions, required: boolean): Promise<RedisCoordinator> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const redacted = redactRedisUrl(url);
  const log = logger.child({ component: 'redis-coordinator', redis: redacted });
  const replica = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  let closing = false;
  let disconnectedLogged = false;
  let lastError: string | null = null;
  /**
   * Redis's clock minus this process's monotonic clock, measured at each connection: replicas and
   * Redis may disagree on the time, and a step of the wall clock here must not move deadlines.
   */
  let clockOffsetMs: number | null = null;
  /** How far that measurement may be off (half the round trip): deadlines are moved earlier by it. */
  let clockUncertaintyMs = 0;

  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => (closing ? false : Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS)),
    },
  });

  /** While the first connection is awaited, its failures are said once, after it, in one line. */
  let starting = true;
  client.on('error', (error: unknown) => {
    if (closing) return;
    lastError = safeMessage(error, url, redacted);
    if (starting) return;
    if (!disconnectedLogged) {
      disconnectedLogged = true;
      log.error(
        { err: { message: lastError } },
        'cannot reach Redis: digests are posted without coordination on this replica (every replica may post them) until it is back; reconnecting in the background',
      );
    } else {
      log.debug({ err: { message: lastError } }, 'Redis still unreachable');
    }
  });
  client.on('ready', () => {
    if (disconnectedLogged) log.info('reconnected to Redis: digests are coordinated again');
    disconnectedLogged = false;
    lastError = null;
    void measureClock().catch(() => undefined);
  });

  /** One command, bounded: a stalled Redis does not hold the caller longer than commandTimeoutMs. */
  const bounded = async <T>(what: string, command: () => Promise<T>): Promise<T> => {
    if (!client.isReady) throw new Error(`Redis at ${redacted} is not connected; cannot ${what}`);
    try {
      const result = await withTimeout(command(), commandTimeoutMs, `Redis at ${redacted}`);
      lastError = null;
      return result;
    } catch (error) {
      lastError = safeMessage(error, url, redacted);
      throw new Error(`Redis at ${redacted} could not ${what}: ${lastError}`);
    }
  };

  async function measureClock(): Promise<void> {
    const sent = performance.now();
    const [seconds, micros] = (await withTimeout(client.sendCommand(['TIME']), commandTimeoutMs, 'Redis TIME')) as [string, string];
    const received = performance.now();
    const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    clockOffsetMs = redisNow - (sent + received) / 2;
    clockUncertaintyMs = Math.ceil((received - sent) / 2) + 1;
  }

  const claim = async (key: string, postedKey: string | null, ttlMs: number): Promise<FireClaim | 'late'> => {
    if (!client.isReady) throw new Error(`Redis at ${redacted} is not connected; cannot claim ${key}`);
    if (clockOffsetMs === null) await measureClock().catch(() => undefined);
    if (clockOffsetMs === null) throw new Error(`Redis at ${redacted} did not tell its time; cannot claim ${key} safely`);
    // The deadline in Redis's clock: after it, this replica has given up and the script writes nothing.
    const deadline = Math.floor(performance.now() + commandTimeoutMs + clockOffsetMs - clockUncertaintyMs);
    const reply = await bounded(`claim ${key}`, () =>
      client.eval(CLAIM_SCRIPT, {
        keys: postedKey === null ? [key] : [key, postedKey],
        arguments: [replica, String(Math.max(Math.ceil(ttlMs), MIN_TTL_MS)), String(deadline)],
      }),
    );
    return String(reply) as FireClaim | 'late';
  };

  try {
    // Covers what connectTimeout does not: DNS, TLS, or a server that accepts and never answers.
    const connecting = client.connect();
    connecting.catch(() => undefined); // a later failure is reported through 'error'
    const connected = await within(connecting.then(() => true), connectTimeoutMs, () => false);
    starting = false;
    if (connected) log.info({ replica, keyPrefix }, 'connected to Redis: digests are coordinated between replicas');
    else if (required) {
      closing = true;
      client.destroy();
      throw new Error(
        `could not connect to Redis at ${redacted} (REDIS_URL) within ${connectTimeoutMs} ms: ${lastError ?? 'no answer'}. ` +
          'Check that Redis runs and is reachable from this replica, or unset REDIS_URL to run a single instance without coordination.',
      );
    } else {
      disconnectedLogged = true;
      log.error(
        { connectTimeoutMs },
        `could not connect to Redis at ${redacted} (REDIS_URL) within ${connectTimeoutMs} ms${lastError ? ` (${lastError})` : ''}: starting anyway; digests are posted without coordination ` +
          '(every replica may post them) until Redis answers. Check that Redis runs and is reachable, or unset REDIS_URL to run a single instance.',
      );
    }
  } catch (error) {
    if (required) throw error;
    starting = false;
    disconnectedLogged = true;
    lastError = safeMessage(error, url, redacted);
    log.error({ err: { message: lastError } }, `could not connect to Redis at ${redacted} (REDIS_URL): starting uncoordinated`);
  }

  return {
    async shouldRun(key: string, ttlMs: number): Promise<boolean> {
      const result = await claim(`${keyPrefix}${key}`, null, ttlMs);
      if (result === 'late') throw new Error(`Redis at ${redacted} answered the claim of ${keyPrefix}${key} too late; nothing was written`);
      log.debug({ key: `${keyPrefix}${key}`, replica, result }, 'claim');
      return result === 'claimed';
    },
    async claimFire(fire: string, ttlMs: number): Promise<FireClaim> {
      const result = await claim(`${keyPrefix}${fire}`, `${keyPrefix}posted:${fire}`, ttlMs);
      if (result === 'late') throw new Error(`Redis at ${redacted} answered the claim of ${keyPrefix}${fire} too late; nothing was written`);
      log.debug({ key: `${keyPrefix}${fire}`, replica, result }, result === 'claimed' ? 'claimed the fire' : `the fire is ${result}`);
      return result;
    },
    async markPosted(fire: string): Promise<void> {
      await bounded(`mark ${fire} posted`, () => client.set(`${keyPrefix}posted:${fire}`, replica, { expiration: { type: 'PX', value: POSTED_TTL_MS } }));
    },
    async release(fire: string): Promise<void> {
      await bounded(`release ${fire}`, () => client.eval(RELEASE_SCRIPT, { keys: [`${keyPrefix}${fire}`], arguments: [replica] }));
      log.info({ key: `${keyPrefix}${fire}` }, 'released the claim on a digest this replica did not post: another replica may post it');
    },
    async problem(): Promise<string | null> {
      if (closing) return null;
      if (!client.isReady) return `unreachable at ${redacted}${lastError ? ` (${lastError})` : ''}; digests go out uncoordinated, possibly from every replica, until it is back`;
      try {
        await withTimeout(client.ping(), Math.min(PROBE_TIMEOUT_MS, commandTimeoutMs), 'PING');
        return null;
      } catch (error) {
        return `not answering at ${redacted} (${safeMessage(error, url, redacted)}); digests go out uncoordinated, possibly from every replica, until it answers`;
      }
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
