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
 * - With a run coordinator (Redis, for several replicas) each replica claims each fire
 *   (`<name>:<fire time ISO>`) before running it: one posts, the others look again until it is
 *   posted (fire-claims.ts). A coordinator that fails or hangs does not lose the digest: this
 *   replica posts it uncoordinated, with an error log (duplicates only while Redis is down).
 * - A replica that starts within CATCH_UP_GRACE_MS after a fire nobody posted posts it, once.
 * - The work's own errors are logged and never escape into the timer (the schedule keeps going).
 */
import { createTask, type Logger as CronLogger, type ScheduledTask, type TaskContext } from 'node-cron';
import { scheduleProblems } from '../config/schedule.ts';
import { withTimeout } from '../lib/timeout.ts';
import { lifecycleLogger, type Logger } from '../log.ts';

import { CATCH_UP_GRACE_MS, claimFire, FOLLOW_UP_MS, PostingFence, previousFire, type FireCoordinator } from './fire-claims.ts';

export type { RunCoordinator } from 'node-cron';
export { PostingFence } from './fire-claims.ts';

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

/** A coordinator that has not answered by then is treated as failed: this replica posts uncoordinated. */
export const COORDINATOR_TIMEOUT_MS = 10_000;

export interface DigestScheduleOptions {
  /** Cron expression (5 fields, or 6 with seconds first); validated. */
  readonly cron: string;
  /** IANA time zone the expression is read in; validated. */
  readonly timeZone: string;
  /** Schedule name, part of the coordination key; default 'restorepoints-digest'. */
  readonly name?: string;
  /**
   * The work. Its errors are logged, never crash the process, never stop the schedule. It asks
   * `fence.mayPost()` right before posting: false means this replica stopped and must not post.
   */
  readonly run: (fireTime: Date, fence: PostingFence) => Promise<void>;
  /** Absent = single instance, no coordination. */
  readonly coordinator?: FireCoordinator;
  /** How often a replica that saw a fire taken looks again; default FOLLOW_UP_MS (tests shorten it). */
  readonly followUpMs?: number;
  readonly logger: Logger;
  /** Only for the start-up log line ("… to C0123, C0456"). */
  readonly channels?: readonly string[];
}

export interface DigestSchedule {
  /** The next fire instant, or null once stopped. */
  nextRun(): Date | null;
  /** Stops future fires (a digest already running carries on: await idle() for it). */
  stop(): Promise<void>;
  /**
   * Gives up the running digest when it has not begun posting: it will not post, and its claim is
   * released so that another replica posts the fire. For a shutdown whose grace ran out.
   */
  abandon(): Promise<void>;
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
  return message.startsWith('task still running');
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
  const followUpMs = options.followUpMs ?? FOLLOW_UP_MS;

  let inFlight: Promise<void> | undefined;
  /** The running digest's claim and fence, for abandon(). */
  let running: { key: string | null; fence: PostingFence } | undefined;
  const followUps = new Set<NodeJS.Timeout>();
  let stopped = false;
  const keyOf = (fireTime: Date): string => `${name}:${fireTime.toISOString()}`;

  /**
   * Runs one fire and marks it posted afterwards (with a claim, or best effort when it could not
   * be claimed, so that a replica starting later does not post it again); with `claimedKey`, an
   * abandoned run leaves the claim to abandon().
   */
  const runFire = async (fireTime: Date, claimedKey: string | null): Promise<void> => {
    const started = Date.now();
    const fence = new PostingFence();
    const current = { key: claimedKey, fence };
    running = current;
    logger.info({ fireTime: fireTime.toISOString(), local: formatLocal(fireTime, timeZone) }, 'digest run started');
    const work = (async () => {
      try {
        await run(fireTime, fence);
        logger.info({ fireTime: fireTime.toISOString(), durationMs: Date.now() - started }, 'digest run finished');
      } catch (error) {
        if (fence.abandoned) {
          logger.warn({ fireTime: fireTime.toISOString() }, 'digest abandoned: this replica stopped before posting it');
          return;
        }
        logger.error(
          { fireTime: fireTime.toISOString(), durationMs: Date.now() - started, err: errorFields(error) },
          'digest run failed; the schedule carries on with the next digest',
        );
      }
      // A run that failed is not handed on: another replica would fail alike, and late.
      if (coordinator !== undefined && !fence.abandoned) {
        const key = keyOf(fireTime);
        await withTimeout(Promise.resolve(coordinator.markPosted?.(key)), COORDINATOR_TIMEOUT_MS, 'the run coordinator').catch((error: unknown) =>
          claimedKey === null
            ? logger.debug({ key, err: errorFields(error) }, 'could not mark the uncoordinated digest posted in Redis')
            : logger.warn({ key, err: errorFields(error) }, 'could not mark the digest posted in Redis: its claim still keeps other replicas from posting it'),
        );
      }
    })();
    inFlight = work;
    try {
      await work;
    } finally {
      if (inFlight === work) inFlight = undefined;
      if (running === current) running = undefined;
    }
  };

  /** Claims a fire; null when the coordinator could not be asked. */
  const ask = async (fireTime: Date): Promise<'claimed' | 'taken' | 'posted' | { error: unknown }> => {
    try {
      return await claimFire(coordinator!, keyOf(fireTime), DIGEST_LEASE_MS, COORDINATOR_TIMEOUT_MS);
    } catch (error) {
      return { error };
    }
  };

  /** After seeing a fire taken: look again until it is posted, claim it if it was released. */
  const followUp = (fireTime: Date): void => {
    const until = fireTime.getTime() + CATCH_UP_GRACE_MS;
    let asking = false;
    const timer = setInterval(() => {
      if (stopped || Date.now() > until) return stopFollowUp();
      if (asking || inFlight !== undefined) return;
      asking = true;
      void ask(fireTime).then(async (claim) => {
        asking = false;
        if (claim === 'taken' || typeof claim === 'object' || stopped) return;
        stopFollowUp();
        if (claim === 'posted') return;
        logger.warn({ fireTime: fireTime.toISOString(), key: keyOf(fireTime) }, 'the replica that claimed this digest released it unposted: posting it from this replica');
        await runFire(fireTime, keyOf(fireTime));
      });
    }, followUpMs);
    timer.unref();
    followUps.add(timer);
    function stopFollowUp(): void {
      clearInterval(timer);
      followUps.delete(timer);
    }
  };

  const digestTask = async (context: TaskContext): Promise<void> => {
    const fireTime = context.date;
    if (coordinator === undefined) return runFire(fireTime, null);
    const key = keyOf(fireTime);
    const claim = await ask(fireTime);
    if (claim === 'claimed') return runFire(fireTime, key);
    if (typeof claim === 'object') {
      logger.error(
        { fireTime: fireTime.toISOString(), key, reason: 'coordinator-error', err: errorFields(claim.error) },
        'the run coordinator (Redis) could not be asked: posting this digest without coordination (another replica that cannot reach Redis may post it too)',
      );
      return runFire(fireTime, null);
    }
    if (claim === 'posted') {
      logger.info({ fireTime: fireTime.toISOString(), key, reason: 'posted' }, 'digest skipped on this replica: it was posted already');
      return;
    }
    logger.info({ fireTime: fireTime.toISOString(), key, reason: 'not-elected' }, 'digest skipped on this replica: another replica posts this one');
    followUp(fireTime);
  };

  /** At start-up: the latest fire within the grace window, if nobody posted it, is posted now. */
  const catchUp = async (task: ScheduledTask): Promise<void> => {
    const missed = previousFire((date) => task.match(date), Date.now(), CATCH_UP_GRACE_MS);
    if (missed === null || coordinator === undefined) return;
    const claim = await ask(missed);
    const fields = { fireTime: missed.toISOString(), key: keyOf(missed) };
    if (typeof claim === 'object') {
      logger.warn({ ...fields, err: errorFields(claim.error) }, 'could not ask Redis whether the last digest was posted: not catching up on it (it may have been posted)');
    } else if (claim === 'taken') followUp(missed);
    else if (claim === 'claimed' && !stopped) {
      logger.warn(fields, 'the last digest was not posted (this replica started within 15 minutes after it): posting it now');
      await runFire(missed, keyOf(missed));
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
    });
  } catch (error) {
    throw new Error(`could not schedule the digest (DIGEST_CRON ${JSON.stringify(cron)}, DIGEST_TIMEZONE ${JSON.stringify(timeZone)}): ${errorFields(error).message}`);
  }

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
  task.start();
  void catchUp(task).catch((error: unknown) => logger.error({ err: errorFields(error) }, 'catching up on the last digest failed'));
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
      for (const timer of followUps) clearInterval(timer);
      followUps.clear();
      await task.stop();
      await task.destroy();
      logger.info('digest schedule stopped');
    },
    async idle() {
      while (inFlight !== undefined) await inFlight;
    },
    async abandon() {
      const current = running;
      if (current === undefined || !current.fence.abandon() || current.key === null) return;
      try {
        await withTimeout(Promise.resolve(coordinator?.release?.(current.key)), COORDINATOR_TIMEOUT_MS, 'the run coordinator');
      } catch (error) {
        logger.warn({ key: current.key, err: errorFields(error) }, `could not release the digest's claim: another replica posts it once the claim expires (${DIGEST_LEASE_MS / 60_000} min)`);
      }
    },
  };
}
