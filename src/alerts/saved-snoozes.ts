/** The snoozes `serve` saved, for the digest the command line builds. */
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { SnoozeMark } from '../restore-points/snooze-mark.ts';
import { stateFrom } from './transitions.ts';
import { snoozeMarks } from './watch.ts';

/**
 * The snoozes saved by `serve`, for a digest built outside it (`restorepoints digest`). Without
 * alerts configured, or when the state cannot be read, there are none: the digest is never held up by it.
 */
export async function savedSnoozes(config: Config, now: number, logger: Logger): Promise<SnoozeMark[]> {
  if (!config.alerts || config.alerts.channels.length === 0) return [];
  try {
    // Loaded only when alerts are configured: a digest without them never opens SQLite or Redis.
    const { openStateStore } = await import('../state/open.ts');
    const store = await openStateStore(config, { readOnly: true });
    try {
      return snoozeMarks(stateFrom(await store.read()), now);
    } finally {
      await store.close();
    }
  } catch (error) {
    logger.warn({ reason: (error as Error).message }, 'could not read the alert state: the digest does not mark snoozed problems');
    return [];
  }
}
