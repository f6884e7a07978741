/**
 * The Veeam Backup for Microsoft Azure client: logs in, finds the API version, reads every
 * restore-point collection the version offers, and hands over domain restore points.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isHTTPError } from 'ky';
import { formatDuration } from '../lib/duration.ts';
import type { Logger } from '../log.ts';
import type { JobSession, RestorePoint, SessionFailure } from '../restore-points/model.ts';
import type { ApplianceIdentity, Inventory, ReadContext, ReadWindow, RestorePointSource, SourceReport } from '../restore-points/source.ts';
import { API_VERSIONS, collectionsOf, type ApiVersion, type Collection } from './api-versions.ts';
import { BodyInterrupted, DEFAULT_MAX_PAGE_BYTES, readJsonBody } from './body.ts';
import { toVeeamError, VeeamError } from './errors.ts';
import { SeenIds } from './id-set.ts';
import { namesakes, readPointOwners, readVmInventory, vmIdentity, withLastBackups, type PagedRead } from './inventory.ts';
import { readAllPages, type PageSink } from './paging.ts';
import { remainingOf, untilDeadline } from './read-deadline.ts';
import { lastProblemLine, readFailures } from './sessions.ts';
import { requestSlots, type RequestSlots } from './request-slots.ts';
import { createWorkloadInterner, toJobSession, toRestorePoint, type VmIdentity } from './to-domain.ts';
import { TokenSession, type IssuedToken } from './token-session.ts';
import { createTransport, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY, type RetryPolicy, type Transport } from './transport.ts';
import { wireAbout, wirePage, type WirePage } from './wire.ts';
import {
  DEFAULT_READ_TIMEOUT_MS,
  INVENTORY_VERSIONS,
  RENEWALS_PER_READ,
  SKIP_LOG_LIMIT,
  SUPERSEDED_RETRIES,
  type ApplianceSettings,
  type ReadBudget,
  type SearchParams,
  type VeeamClientOptions,
} from './settings.ts';

export { DEFAULT_READ_TIMEOUT_MS, RENEWALS_PER_READ, type ApplianceSettings, type VeeamClientOptions };

export class VeeamClient implements RestorePointSource {
  readonly #settings: ApplianceSettings;
  readonly #logger: Logger;
  readonly #transport: Transport;
  readonly #session: TokenSession;
  readonly #pageSize: number;
  readonly #parallelism: number;
  readonly #slots: RequestSlots;
  readonly #retry: RetryPolicy;
  readonly #requestTimeoutMs: number;
  readonly #readTimeoutMs: number;
  readonly #maxPageBytes: number;
  #closing = false;
  /** v4…v6: which of a collection's paths this appliance answered, so the 404 is asked once. */
  readonly #servedPaths = new Map<string, string>();
  #version: Promise<ApiVersion> | null = null;
  /** The last inventory read: which VM owns which point where names are shared. */
  #identity: { vms: Parameters<typeof vmIdentity>[0]; owners: Map<string, string> } | null = null;
  #knownVersion: ApiVersion | null = null;
  #serverVersion: string | null = null;

  constructor(options: VeeamClientOptions) {
    this.#settings = options.appliance;
    this.#logger = options.logger.child({ appliance: options.appliance.name });
    this.#transport = createTransport({
      baseUrl: options.appliance.url,
      caPem: options.appliance.caPem,
      tlsInsecure: options.appliance.tlsInsecure,
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    });
    this.#session = new TokenSession(
      this.#transport,
      { username: options.appliance.username, password: options.appliance.password },
      this.#logger,
      options.now,
    );
    this.#pageSize = options.pageSize ?? 1000;
    this.#parallelism = options.parallelism ?? 4;
    this.#slots = requestSlots(this.#parallelism);
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#readTimeoutMs = options.appliance.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.#maxPageBytes = options.appliance.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES;
  }

  get name(): string {
    return this.#settings.name;
  }

  get knownApiVersion(): ApiVersion | null {
    return this.#settings.apiVersion === 'auto' ? this.#knownVersion : this.#settings.apiVersion;
  }

  /** The configured version, or the newest the appliance serves (found once, then remembered). */
  apiVersion(): Promise<ApiVersion> {
    this.#version ??= this.#detectVersion().then(
      (version) => (this.#knownVersion = version),
      (error: unknown) => {
        this.#version = null; // try again on the next read: the appliance may be back
        throw error;
      },
    );
    return this.#version;
  }

  async identify(): Promise<ApplianceIdentity> {
    const apiVersion = await this.apiVersion();
    if (this.#serverVersion === null) {
      const about = wireAbout.safeParse(await this.#getJson(`${apiVersion}/system/about`));
      this.#serverVersion = about.success ? (about.data.serverVersion ?? null) : null;
    }
    return { apiVersion, serverVersion: this.#serverVersion };
  }

  /** The VM inventory, within what is left of the read's deadline (it throws past it). */
  async readInventory(window?: ReadWindow): Promise<Inventory | null> {
    return this.#bounded(window, async (budget) => {
      const apiVersion = await this.apiVersion();
      if (!INVENTORY_VERSIONS.includes(apiVersion)) return null;
      const read = this.#pagedRead(apiVersion, budget);
      const inventory = await readVmInventory(read);
      const notes: string[] = [];
      const owners = await readPointOwners(read, namesakes(inventory.all)).catch((error: unknown) => {
        if (budget.signal?.aborted) throw error;
        notes.push(`VMs that share a name could not be told apart (${error instanceof Error ? error.message : String(error)}).`);
        return new Map<string, string>();
      });
      this.#identity = { vms: inventory.all, owners };
      // v8.1 says when it last backed each VM up: a backup newer than every point read is said.
      const vms = apiVersion !== 'v8.1' ? inventory.vms : await withLastBackups(read, inventory).catch((error: unknown) => {
        if (budget.signal?.aborted) throw error;
        notes.push(`When VMs were last backed up could not be read (${error instanceof Error ? error.message : String(error)}).`);
        return inventory.vms;
      });
      return { vms, note: notes.join(' ') || null };
    });
  }

  /** Failed and warning sessions since `since`, within what is left of the read's deadline (it throws past it). */
  async readFailures(since: number, window?: ReadWindow): Promise<readonly SessionFailure[] | null> {
    return this.#bounded(window, async (budget) => {
      const apiVersion = await this.apiVersion();
      if (!INVENTORY_VERSIONS.includes(apiVersion)) return null;
      const getJson = (path: string, params: URLSearchParams) => this.#getJson(`${apiVersion}/${path}`, params, budget);
      return readFailures({ getJson, readPaged: this.#pagedRead(apiVersion, budget) }, since);
    });
  }

  /** A part of a read, ended at the read's deadline: its requests aborted, it throws saying so. */
  #bounded<T>(window: ReadWindow | undefined, run: (budget: ReadBudget) => Promise<T>): Promise<T> {
    return untilDeadline(
      remainingOf(window, this.#readTimeoutMs),
      (signal) => run({ renewals: 0, signal }),
      () => this.#lateError(this.#knownVersion !== null),
      (reason) => {
        throw reason;
      },
    );
  }

  /** Why a read stopped at the deadline: before it logged in, or part-way. */
  #lateError(loggedIn: boolean): VeeamError {
    const limit = `${this.#readTimeoutMs < 1000 ? `${this.#readTimeoutMs} ms` : formatDuration(this.#readTimeoutMs)} (READ_TIMEOUT)`;
    if (!loggedIn) return new VeeamError('timeout', `${this.#transport.host} did not finish logging in and answering within ${limit}.`);
    return new VeeamError('timeout', `it did not finish within ${limit}`);
  }

  /**
   * Every restore point, delivered as pages arrive. The read ends within READ_TIMEOUT whatever
   * the appliance does: at the deadline its requests are aborted, the points read so far stand,
   * and the report says why the read is incomplete (or, when not even the login finished, it throws).
   */
  async readRestorePoints(onPoint: (point: RestorePoint) => void, context?: ReadContext): Promise<SourceReport> {
    const state: ReadState = { open: true, loggedIn: this.#knownVersion !== null, skipped: 0, duplicates: 0, incomplete: null, seen: [] };
    const deliver = (point: RestorePoint) => {
      if (state.open) onPoint(point);
    };
    const late = () => this.#lateError(state.loggedIn);
    return untilDeadline(remainingOf(context?.window, this.#readTimeoutMs), (signal) => this.#readAll(deliver, { renewals: 0, signal }, state, context), late, (reason) => {
      // The points held back for the duplicate check were read in time: they count.
      for (const seen of state.seen) {
        const settled = seen.settle();
        for (const point of settled.fresh) deliver(point);
        state.duplicates += settled.duplicates;
      }
      state.open = false; // nothing read after the deadline reaches the caller's tally
      const apiVersion = this.knownApiVersion;
      if (apiVersion === null || !state.loggedIn) throw reason;
      this.#logger.info({ limit: this.#readTimeoutMs }, 'the read ran out of time');
      return { apiVersion, skipped: state.skipped, duplicates: state.duplicates, incomplete: reason.message };
    });
  }

  async #readAll(deliver: (point: RestorePoint) => void, budget: ReadBudget, state: ReadState, context?: ReadContext): Promise<SourceReport> {
    const apiVersion = await this.apiVersion();
    state.loggedIn = true;
    const intern = createWorkloadInterner();
    const identity: VmIdentity | null = context?.inventory && this.#identity ? vmIdentity(this.#identity.vms, this.#identity.owners) : null;
    const appliance = this.#settings.name;

    // Collections are read side by side; the request slots keep the appliance's load bounded.
    const reads = collectionsOf(apiVersion).map(async (collection) => {
      // An id is unique within its collection only: the same id as a VM and as a SQL point is two points.
      // Points whose id may have been seen already wait for the end of the read (see SeenIds).
      const seen = new SeenIds<RestorePoint>();
      state.seen.push(seen);
      const sink = (records: readonly unknown[]) => {
        for (const record of records) {
          const converted = toRestorePoint(record, collection.kind, appliance, intern, collection.destinationFromType === true, identity);
          if (!converted.ok) {
            if (++state.skipped <= SKIP_LOG_LIMIT) {
              this.#logger.debug({ collection: collection.path, reason: converted.reason }, 'skipped a restore point record');
            }
            continue;
          }
          const fresh = seen.offer(converted.point.id, converted.point);
          if (fresh === true) deliver(converted.point);
          else if (fresh === false) state.duplicates++;
        }
      };
      const result = await this.#readCollection(apiVersion, collection, sink, budget);
      if (result?.incomplete) state.incomplete ??= `${collection.path}: ${result.incomplete}`;
    });
    // Every collection settles before the read answers: no point may arrive after it failed.
    const failure = (await Promise.allSettled(reads)).find((outcome) => outcome.status === 'rejected');
    // The points held back were read before any failure: they count either way.
    for (const seen of state.seen) {
      const settled = seen.settle();
      for (const point of settled.fresh) deliver(point);
      state.duplicates += settled.duplicates;
    }
    if (failure) throw failure.reason;
    const skipped = state.skipped;
    if (skipped > SKIP_LOG_LIMIT) this.#logger.debug({ skipped }, 'skipped restore point records in all');
    if (skipped > 0) this.#logger.info({ skipped }, 'some restore point records could not be understood');
    return { apiVersion, skipped, duplicates: state.duplicates, incomplete: state.incomplete };
  }

  async getJobSession(id: string): Promise<JobSession | null> {
    const apiVersion = await this.apiVersion();
    try {
      const body = await this.#getJson(`${apiVersion}/jobSessions/${encodeURIComponent(id)}`);
      const session = toJobSession(body, this.#settings.name, id);
      if (!session) throw new VeeamError('malformed', `${this.#transport.host} sent a job session the bot cannot read.`);
      if (!['error', 'warning'].includes(session.status.toLowerCase())) return session;
      // A failed or warning session says why: the log's last Error/Warning line (best effort).
      const message = await this.#getJson(`${apiVersion}/jobSessions/${encodeURIComponent(id)}/log`).then(lastProblemLine, () => null);
      return { ...session, message };
    } catch (error) {
      if (error instanceof VeeamError && error.kind === 'not-found') return null;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#session.logout();
    await this.#transport.close();
  }

  async #detectVersion(): Promise<ApiVersion> {
    if (this.#settings.apiVersion !== 'auto') return this.#confirmVersion(this.#settings.apiVersion);
    for (const version of API_VERSIONS) {
      try {
        const about = wireAbout.safeParse(await this.#getJson(`${version}/system/about`));
        this.#serverVersion = about.success ? (about.data.serverVersion ?? null) : null;
        this.#logger.info({ apiVersion: version, serverVersion: this.#serverVersion }, 'found the API version');
        return version;
      } catch (error) {
        if (!(error instanceof VeeamError && error.kind === 'not-found')) throw error;
      }
    }
    throw new VeeamError(
      'not-found',
      `${this.#transport.host} serves none of the API versions ${API_VERSIONS.join(', ')}: is this a Veeam Backup for Microsoft Azure appliance? Set VEEAM_API_VERSION if it serves another.`,
    );
  }

  /**
   * A configured version is asked about once, so that an appliance that does not serve it is told
   * as such (with the fix), not as a missing restore-point collection later on.
   */
  async #confirmVersion(version: ApiVersion): Promise<ApiVersion> {
    try {
      const about = wireAbout.safeParse(await this.#getJson(`${version}/system/about`));
      this.#serverVersion = about.success ? (about.data.serverVersion ?? null) : null;
      return version;
    } catch (error) {
      if (!(error instanceof VeeamError && error.kind === 'not-found')) throw error;
      throw new VeeamError(
        'not-found',
        `${this.#transport.host} does not serve API ${version}: set VEEAM_API_VERSION (or the appliance's apiVersion) to auto, or to a version the appliance serves.`,
        { status: error.status, title: error.title, detail: error.detail, traceId: error.traceId, hint: 'set VEEAM_API_VERSION to auto', cause: error },
      );
    }
  }

  /** Every page of a path with these parameters, through the request slots. */
  #pagedRead(version: ApiVersion, budget: ReadBudget): PagedRead {
    return async (path: string, params: Readonly<Record<string, string>>, sink: PageSink) => {
      const fetchPage = async (offset: number, limit: number): Promise<WirePage> => {
        const page = wirePage.safeParse(await this.#getJson(`${version}/${path}`, { ...params, Offset: offset, Limit: limit }, budget));
        if (!page.success) throw new VeeamError('malformed', `${this.#transport.host} sent a ${path} page without a results list.`);
        return page.data;
      };
      await readAllPages(fetchPage, sink, { pageSize: this.#pageSize, parallelism: this.#parallelism });
    };
  }

  async #readCollection(version: ApiVersion, collection: Collection, sink: (records: readonly unknown[]) => void, budget: ReadBudget) {
    const known = this.#servedPaths.get(collection.path);
    const paths = known ? [known] : [collection.path, ...(collection.fallbackPath ? [collection.fallbackPath] : [])];
    for (const [index, path] of paths.entries()) {
      const fetchPage = async (offset: number, limit: number): Promise<WirePage> => {
        const body = await this.#getJson(`${version}/${path}`, { Offset: offset, Limit: limit }, budget);
        const page = wirePage.safeParse(body);
        if (!page.success) {
          throw new VeeamError('malformed', `${this.#transport.host} sent a ${path} page without a results list.`);
        }
        return page.data;
      };
      try {
        const result = await readAllPages(fetchPage, sink, { pageSize: this.#pageSize, parallelism: this.#parallelism });
        this.#servedPaths.set(collection.path, path);
        return result;
      } catch (error) {
        const notFound = error instanceof VeeamError && error.kind === 'not-found';
        if (notFound && index < paths.length - 1) continue;
        if (notFound && collection.optional) {
          this.#logger.debug({ path }, 'the appliance has no such collection');
          return null;
        }
        throw error;
      }
    }
    return null;
  }

  /**
   * GET with the bearer token, the answer read within MAX_PAGE_BYTES. The token is taken inside
   * the request slot, just before sending. A 401 on a superseded token is retried with the current
   * one for free; a 401 on the current one shares one renewal, counted against the read's budget.
   * A body that breaks off is asked again like any failed idempotent request; a body that is not
   * JSON is asked once more.
   */
  async #getJson(path: string, searchParams?: SearchParams, budget: ReadBudget = { renewals: 0 }): Promise<unknown> {
    const host = this.#transport.host;
    let token: IssuedToken | null = null;
    let superseded = 0;
    let interrupted = 0;
    let notJson = 0;
    for (;;) {
      try {
        return await this.#slots(async () => {
          budget.signal?.throwIfAborted(); // waited for a slot past the deadline: send nothing
          token = await this.#session.current();
          const answer = await this.#transport.get(path, {
            headers: { authorization: `Bearer ${token.access}` },
            ...(searchParams ? { searchParams } : {}),
            ...(budget.signal ? { signal: budget.signal } : {}),
          });
          // A 2xx means the token was accepted, whatever becomes of the body.
          this.#session.accepted(token);
          return readJsonBody(answer.body, answer.contentLength, { maxBytes: this.#maxPageBytes, stallMs: this.#requestTimeoutMs, host, what: `an answer to ${path}` });
        });
      } catch (error) {
        if (budget.signal?.aborted) throw budget.signal.reason;
        // Closing ends requests in flight: say so, rather than blame the appliance's address.
        if (this.#closing) throw new VeeamError('incomplete', `The bot stopped reading ${host}: it closed the connection, no longer waiting for the answer.`, { cause: error });
        // The transport's StatusError is an HTTPError by name, as ky's own are.
        if (token !== null && isHTTPError(error) && error.response.status === 401) {
          const next = await this.#session.refused(token);
          if (next === 'superseded' && ++superseded <= SUPERSEDED_RETRIES) continue;
          if (next === 'renewed' && ++budget.renewals <= RENEWALS_PER_READ) {
            this.#logger.debug({ path, renewals: budget.renewals }, 'the appliance refused the token; renewed it');
            continue;
          }
          throw new VeeamError(
            'credentials',
            `${host} kept refusing fresh tokens (${budget.renewals} renewals in one read): check the account and the appliance's clock.`,
            { status: 401, cause: error },
          );
        }
        if (error instanceof BodyInterrupted && interrupted++ < this.#retry.limit) {
          this.#logger.debug({ path, reason: String(error.cause) }, 'the answer broke off; asking again');
          await sleep(Math.min(this.#retry.backoffLimitMs, this.#retry.baseDelayMs * 2 ** (interrupted - 1)));
          continue;
        }
        if (error instanceof SyntaxError && notJson++ === 0) {
          this.#logger.debug({ path }, 'the appliance sent a body that is not JSON; asking again');
          continue;
        }
        if (error instanceof BodyInterrupted) {
          throw new VeeamError('unreachable', `${host} broke off its answer to ${path} ${interrupted} times (${describeCause(error.cause)}).`, { cause: error });
        }
        throw toVeeamError(error, host);
      }
    }
  }
}

interface ReadState {
  /** False once the read has answered: late points are dropped. */
  open: boolean;
  /** Logged in and the API version known: past here a deadline leaves a partial read, not a failure. */
  loggedIn: boolean;
  skipped: number;
  duplicates: number;
  incomplete: string | null;
  readonly seen: Array<SeenIds<RestorePoint>>;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
