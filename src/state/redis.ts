/**
 * The alert state in Redis, shared by replicas. A write is a compare-and-set (a short Lua
 * script): it lands only when the document is still the one the change was computed from, else
 * the change is computed again from the newer one. So two replicas never overwrite each other's
 * transitions, and each is posted once whichever replica sees it.
 */
import { createClient } from 'redis';
import { redactRedisUrl } from '../digest/redis-coordinator.ts';
import { within, withTimeout } from '../lib/timeout.ts';
import type { Change, StateStore } from './store.ts';

export const ALERT_STATE_KEY = 'restorepoints:alerts:state';

const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** Replicas writing at once settle within a few rounds; more means something is wrong. */
const MAX_ATTEMPTS = 50;

export interface RedisStoreOptions {
  readonly key?: string;
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
}

export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<StateStore> {
  const key = options.key ?? ALERT_STATE_KEY;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const redacted = redactRedisUrl(url);
  let closing = false;
  const startedAt = Date.now();
  let everReady = false;
  const client = createClient({
    url,
    // A command while disconnected fails at once: the watch then keeps its state for the next try.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => {
        if (closing) return false;
        if (!everReady && Date.now() - startedAt >= connectTimeoutMs) return new Error(`could not connect to Redis at ${redacted}`);
        return Math.min(100 * 2 ** retries, 5_000);
      },
    },
  });
  client.on('ready', () => (everReady = true));
  // Errors are reported by the commands that fail; an unhandled 'error' event would end the process.
  client.on('error', () => undefined);
  try {
    await within(client.connect(), connectTimeoutMs, () => {
      throw new Error(`no answer within ${connectTimeoutMs} ms`);
    });
  } catch (error) {
    closing = true;
    client.destroy();
    throw new Error(`could not connect to Redis at ${redacted} (REDIS_URL) for the alert state: ${(error as Error).message.split(url).join(redacted)}`);
  }
  const commands = client.withCommandOptions({ timeout: options.commandTimeoutMs ?? 3_000 });
  const get = async () => {
    const text = await commands.get(key);
    return text ?? null;
  };
  const compareAndSet = async <T>(change: Change<T>): Promise<T> => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const before = await get();
      const { value, result } = change(before === null ? null : (JSON.parse(before) as unknown));
      const written = await commands.eval(COMPARE_AND_SET, { keys: [key], arguments: [before ?? '', JSON.stringify(value)] });
      if (written === 1) return result;
      // Another replica wrote first: step aside a little, by a different amount than it.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * Math.min(attempt, 5)));
    }
    throw new Error(`the alert state in Redis (${key}) kept changing under this replica: ${MAX_ATTEMPTS} attempts to write it failed`);
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    where: `${redacted} (key ${key})`,
    async read() {
      const text = await get();
      return text === null ? null : (JSON.parse(text) as unknown);
    },
    update<T>(change: Change<T>): Promise<T> {
      // One change at a time from this replica: only other replicas can race it.
      const next = queue.then(() => compareAndSet(change));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      if (closing) return;
      closing = true;
      try {
        await withTimeout(client.close(), 2_000, 'Redis close');
      } catch {
        client.destroy();
      }
    },
  };
}
