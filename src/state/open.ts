/** The alert state store a configuration names: Redis when REDIS_URL is set (shared by replicas), else the SQLite file. */
import type { Config } from '../config/types.ts';
import { DEFAULT_STATE_FILE } from '../config/load.ts';
import { redactRedisUrl } from '../digest/redis-coordinator.ts';
import { openRedisStore } from './redis.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Change, StateStore } from './store.ts';

type StoreConfig = Pick<Config, 'redisUrl' | 'alerts'>;

export async function openStateStore(config: StoreConfig, options: { readOnly?: boolean; redisTimeoutMs?: number } = {}): Promise<StateStore> {
  if (config.redisUrl) return openRedisStore(config.redisUrl, options.redisTimeoutMs === undefined ? {} : { connectTimeoutMs: options.redisTimeoutMs });
  const file = config.alerts?.stateFile ?? DEFAULT_STATE_FILE;
  try {
    return openSqliteStore(file, options);
  } catch (error) {
    throw new Error(`could not open the alert state file ${file} (STATE_FILE): ${(error as Error).message}`);
  }
}

/** Where the configured state lives, before it is open (a Redis URL without its password). */
export function stateWhere(config: StoreConfig): string {
  return config.redisUrl ? redactRedisUrl(config.redisUrl) : (config.alerts?.stateFile ?? DEFAULT_STATE_FILE);
}

/** What to do when the configured state cannot be opened or written: one sentence. */
export function stateFix(config: StoreConfig): string {
  return config.redisUrl
    ? `check that Redis at ${redactRedisUrl(config.redisUrl)} is running and reachable from this host, and REDIS_URL's host, port and password`
    : `check that the folder of ${config.alerts?.stateFile ?? DEFAULT_STATE_FILE} exists and is writable by this user, or set STATE_FILE to a writable path`;
}

/** A store that opens on first use and, while it cannot, tries again at every use. */
export interface RetryingStore extends StateStore {
  /** Opens now if not open; the error when it cannot. */
  open(): Promise<void>;
}

export function retryingStateStore(where: string, open: () => Promise<StateStore>): RetryingStore {
  let store: StateStore | null = null;
  let opening: Promise<StateStore> | null = null;
  let closed = false;
  const ready = (): Promise<StateStore> => {
    if (closed) return Promise.reject(new Error('the alert state is closed'));
    if (store) return Promise.resolve(store);
    opening ??= open().then(
      (opened) => {
        opening = null;
        if (closed) return opened.close().then(() => Promise.reject(new Error('the alert state is closed')));
        store = opened;
        return opened;
      },
      (error: unknown) => {
        opening = null;
        throw error;
      },
    );
    return opening;
  };
  return {
    where,
    async open() {
      await ready();
    },
    async read() {
      return (await ready()).read();
    },
    async update<T>(change: Change<T>): Promise<T> {
      return (await ready()).update(change);
    },
    async close() {
      closed = true;
      await store?.close();
    },
  };
}
