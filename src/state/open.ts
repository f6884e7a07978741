/** The alert state store a configuration names: Redis when REDIS_URL is set (shared by replicas), else the SQLite file. */
import type { Config } from '../config/types.ts';
import { DEFAULT_STATE_FILE } from '../config/load.ts';
import { openRedisStore } from './redis.ts';
import { openSqliteStore } from './sqlite.ts';
import type { StateStore } from './store.ts';

export function openStateStore(config: Pick<Config, 'redisUrl' | 'alerts'>, options: { readOnly?: boolean } = {}): Promise<StateStore> {
  if (config.redisUrl) return openRedisStore(config.redisUrl);
  return Promise.resolve(openSqliteStore(config.alerts?.stateFile ?? DEFAULT_STATE_FILE, options));
}
