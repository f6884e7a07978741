/**
 * The digest schedule: when the daily digest goes out, and that it goes out once.
 *
 * A thin shell around node-cron 4:
 * - `DIGEST_CRON` / `DIGEST_TIMEZONE` are validated up front (node-cron's `validateDetailed`
 *   for the expression, `Intl` for the zone), with sentences that say what to change.
 * - `noOverlap`: a digest that is still running when the next one is due is not started twice.
 * - No catch-up: node-cron never replays fires from before the process started, and a fire
 *   found more than `MISSED_TOLERANCE_MS` late (process asleep or blocked) is reported as missed
 *   and dropped, so waking up after downtime never posts a burst of old digests.
 * - With a run coordinator (Redis, for several replicas) node-cron's `distributed` mode asks
 *   the coordinator once per fire (`<name>:<fire time ISO>`); a coordinator that fails or hangs
 *   makes this replica skip that fire with an error log: skipping beats posting twice.
 * - The work's own errors are logged and never escape into the timer (the schedule keeps going).
 */
import {
  createTask,
  type Logger as CronLogger,
  type RunCoordinator,
  type ScheduledTask,
  type TaskContext,
} from 'node-cron';
import { scheduleProblems } from '../config/schedule.ts';
import { withTimeout } from '../lib/timeout.ts';
import { lifecycleLogger, type Logger } from '../log.ts';

export type { RunCoordinator } from 'node-cron';

export const DEFAULT_SCHEDULE_NAME = 'restorepoints-digest';

/**
 * How long a replica's claim on one fire lives in the coordinator (node-cron's
 * `distributedLease`, passed to `shouldRun` as `ttlMs`). It must outlast the clock skew
 * between replicas plus their scheduling delay, or a late replica could claim the same fire
 * again after the key expired. The key names the fire time, so it is never reused anyway.
 */
export const DIGEST_LEASE_MS = 10 * 60_000;

/**
 * How late a fire may be and still run (node-cron's `missedExecutionTolerance`; its default,
 * 1 s, would drop the day's digest after one long GC pause at 08:00). Later than this, the fire
 * is logged as missed and not sent: no late digest, no burst.
 */
export const MISSED_TOLERANCE_MS = 60_000;

/** A coordinator that has not answered by then is treated as failed: this replica skips. */
export const COORDINATOR_TIMEOUT_MS = 10_000;

export interface DigestScheduleOptions {
  /** Cron expression (5 fields, or 6 with seconds first); validated. */
  readonly cron: string;
  /** IANA time zone the expression is read in; validated. */
  readonly timeZone: string;
  /** Schedule name, part of the coordination key; default 'restorepoints-digest'. */
  readonly name?: string;
  /** The work. Its errors are logged, never crash the process, never stop the schedule. */
  readonly run: (fireTime: Date) => Promise<void>;
  /** From node-cron; absent = single instance, no coordination. */
  readonly coordinator?: RunCoordinator;
  readonly logger: Logger;
  /** Only for the start-up log line ("… to C0123, C0456"). */
  readonly channels?: readonly string[];
}

export interface DigestSchedule {
  /** The next fire instant, or null once stopped. */
  nextRun(): Date | null;
  /** Stops future fires (a digest already running carries on: await idle() for it). */
  stop(): Promise<void>;
  /** Resolves when a running digest finishes (for graceful shutdown); at once when none runs. */
  idle(): Promise<void>;
}

/** "Sun 29 Mar 2026, 08:00 CEST" in the schedule's zone, for logs a human reads. */
export function formatLocal(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date);
}

/** The loud start-up line when `DIGEST_CHANNELS` is empty and no schedule is started. */
export function logDigestDisabled(logger: Logger): void {
  logger.warn(
    { digest: 'off' },
    'digest is OFF: DIGEST_CHANNELS is empty, so no daily digest will be posted. Set DIGEST_CHANNELS to a comma-separated list of channel IDs (e.g. C0123ABCD) to turn it on',
  );
}

function errorFields(error: unknown): { message: string; name?: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, name: error.name, stack: error.stack };
  return { message: String(error) };
}

/**
 * node-cron lines that the event listeners below already log, once and with the fire time:
 * node-cron's copy goes to debug so that one event is one warning or error.
 */
function handledHere(message: string): boolean {
  return message.startsWith('Run coordinator failed') || message.startsWith('task still running');
}

/** node-cron's own log lines, into our logger. */
function cronLogger(logger: Logger): CronLogger {
  const log = logger.child({ component: 'node-cron' });
  const write = (level: 'info' | 'warn' | 'error' | 'debug', message: string | Error, err?: Error): void => {
    if (message instanceof Error) log[level]({ err: errorFields(message) }, message.message);
    else if (err !== undefined) log[level]({ err: errorFields(err) }, message);
    else log[level](message);
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write(handledHere(message) ? 'debug' : 'warn', message),
    error: (message, err) => write(typeof message === 'string' && handledHere(message) ? 'debug' : 'error', message, err),
    debug: (message, err) => write('debug', message, err),
  };
}

export function startDigestSchedule(options: DigestScheduleOptions): DigestSchedule {
  const { cron, timeZone, run, coordinator } = options;
  const name = options.name ?? DEFAULT_SCHEDULE_NAME;
  const problems = scheduleProblems(cron, timeZone);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const logger = options.logger.child({ component: 'digest-schedule', schedule: name });

  let inFlight: Promise<void> | undefined;
  /** Why the coordinator failed, by node-cron key, until the skip is logged. */
  const coordinatorErrors = new Map<string, unknown>();
  const keyOf = (fireTime: Date): string => `${name}:${fireTime.toISOString()}`;

  const guardedCoordinator: RunCoordinator | undefined =
    coordinator === undefined
      ? undefined
      : {
          async shouldRun(key, ttlMs) {
            try {
              const allowed = await withTimeout(Promise.resolve(coordinator.shouldRun(key, ttlMs)), COORDINATOR_TIMEOUT_MS, 'the run coordinator');
              return allowed === true;
            } catch (error) {
              coordinatorErrors.set(key, error);
              throw error;
            }
          },
          // No onComplete: the claim must outlive the run, or a late replica could claim the
          // same fire after it is released. It expires on its own after the lease.
        };

  const digestTask = async (context: TaskContext): Promise<void> => {
    const fireTime = context.date;
    const started = Date.now();
    logger.info({ fireTime: fireTime.toISOString(), local: formatLocal(fireTime, timeZone) }, 'digest run started');
    const work = (async () => {
      try {
        await run(fireTime);
        logger.info({ fireTime: fireTime.toISOString(), durationMs: Date.now() - started }, 'digest run finished');
      } catch (error) {
        logger.error(
          { fireTime: fireTime.toISOString(), durationMs: Date.now() - started, err: errorFields(error) },
          'digest run failed; the schedule carries on with the next digest',
        );
      }
    })();
    inFlight = work;
    try {
      await work;
    } finally {
      if (inFlight === work) inFlight = undefined;
    }
  };

  let task: ScheduledTask;
  try {
    task = createTask(cron, digestTask, {
      name,
      timezone: timeZone,
      noOverlap: true,
      missedExecutionTolerance: MISSED_TOLERANCE_MS,
      logger: cronLogger(logger),
      ...(guardedCoordinator === undefined
        ? {}
        : { distributed: true, runCoordinator: guardedCoordinator, distributedLease: DIGEST_LEASE_MS }),
    });
  } catch (error) {
    throw new Error(`could not schedule the digest (DIGEST_CRON ${JSON.stringify(cron)}, DIGEST_TIMEZONE ${JSON.stringify(timeZone)}): ${errorFields(error).message}`);
  }

  let stopped = false;
  const nextRun = (): Date | null => {
    if (stopped) return null;
    try {
      return task.getNextRun();
    } catch {
      return null;
    }
  };

  task.on('execution:overlap', (context) => {
    logger.warn(
      { fireTime: context.date.toISOString() },
      'digest not started: the previous digest is still running (no overlap)',
    );
  });
  task.on('execution:missed', (context) => {
    const next = nextRun();
    logger.warn(
      { fireTime: context.date.toISOString(), nextRun: next?.toISOString() ?? null },
      'digest missed: the process was asleep or blocked at its time; it is not sent late, the next one goes out on schedule',
    );
  });
  task.on('execution:skipped', (context) => {
    const key = keyOf(context.date);
    const fireTime = context.date.toISOString();
    if (context.reason === 'coordinator-error') {
      const error = coordinatorErrors.get(key) ?? context.error;
      coordinatorErrors.delete(key);
      logger.error(
        { fireTime, key, reason: context.reason, ...(error === undefined ? {} : { err: errorFields(error) }) },
        'digest skipped on this replica: the run coordinator (Redis) could not be asked, and posting without it could post twice',
      );
    } else {
      logger.info({ fireTime, key, reason: context.reason }, 'digest skipped on this replica: another replica posts this one');
    }
  });

  task.start();
  const next = nextRun();
  lifecycleLogger(logger).info(
    {
      cron,
      timeZone,
      nextRun: next?.toISOString() ?? null,
      ...(options.channels === undefined ? {} : { channels: [...options.channels] }),
      coordination: coordinator === undefined ? 'single instance' : 'distributed',
    },
    next === null
      ? `digest scheduled (${cron}, ${timeZone}) but it has no next run`
      : `next digest ${formatLocal(next, timeZone)} (${next.toISOString()})` +
          (options.channels === undefined ? '' : ` to ${options.channels.join(', ')}`),
  );

  return {
    nextRun,
    async stop() {
      if (stopped) return;
      stopped = true;
      await task.stop();
      await task.destroy();
      logger.info('digest schedule stopped');
    },
    async idle() {
      while (inFlight !== undefined) await inFlight;
    },
  };
}
