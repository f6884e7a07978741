/**
 * The Veeam Backup for Microsoft Azure client: logs in, finds the API version, reads every
 * restore-point collection the version offers, and hands over domain restore points.
 */
import { isHTTPError } from 'ky';
import type { Logger } from '../log.ts';
import type { JobSession, RestorePoint, SessionFailure } from '../restore-points/model.ts';
import type { ApplianceIdentity, Inventory, ReadContext, RestorePointSource, SourceReport } from '../restore-points/source.ts';
import { API_VERSIONS, collectionsOf, type ApiVersion, type Collection } from './api-versions.ts';
import { toVeeamError, VeeamError } from './errors.ts';
import { SeenIds } from './id-set.ts';
import { namesakes, readPointOwners, readVmInventory, vmIdentity, type PagedRead } from './inventory.ts';
import { readAllPages, type PageSink } from './paging.ts';
import { lastProblemLine, readFailures } from './sessions.ts';
import { requestSlots, type RequestSlots } from './request-slots.ts';
import { createWorkloadInterner, toJobSession, toRestorePoint, type VmIdentity } from './to-domain.ts';
import { TokenSession } from './token-session.ts';
import { createTransport, type RetryPolicy, type Transport } from './transport.ts';
import { wireAbout, wirePage, type WirePage } from './wire.ts';

export interface ApplianceSettings {
  /** Display name, unique among configured appliances. */
  readonly name: string;
  /** https://host[:port] */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly apiVersion: ApiVersion | 'auto';
  /** PEM text of extra certificates to trust for this appliance. */
  readonly caPem: string | null;
  readonly tlsInsecure: boolean;
}

export interface VeeamClientOptions {
  readonly appliance: ApplianceSettings;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** The `Limit` asked for; servers may serve fewer. */
  readonly pageSize?: number;
  /** Pages in flight at once per collection. */
  readonly parallelism?: number;
}

type SearchParams = Record<string, string | number> | URLSearchParams;

/** Versions that list VMs (`/virtualMachines`) and filter sessions by `Status` and `FromUtc`. */
const INVENTORY_VERSIONS: readonly ApiVersion[] = ['v7', 'v8', 'v8.1'];

/** At most this many skipped records are logged one by one per read; the rest are counted. */
const SKIP_LOG_LIMIT = 20;

export class VeeamClient implements RestorePointSource {
  readonly #settings: ApplianceSettings;
  readonly #logger: Logger;
  readonly #transport: Transport;
  readonly #session: TokenSession;
  readonly #pageSize: number;
  readonly #parallelism: number;
  readonly #slots: RequestSlots;
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

  async readInventory(): Promise<Inventory | null> {
    const apiVersion = await this.apiVersion();
    if (!INVENTORY_VERSIONS.includes(apiVersion)) return null;
    const read = this.#pagedRead(apiVersion);
    const inventory = await readVmInventory(read);
    const shared = namesakes(inventory.all);
    let owners = new Map<string, string>();
    let note: string | null = null;
    try {
      owners = await readPointOwners(read, shared);
    } catch (error) {
      note = `VMs that share a name could not be told apart (${error instanceof Error ? error.message : String(error)}).`;
    }
    this.#identity = { vms: inventory.all, owners };
    return { vms: inventory.vms, note };
  }

  async readFailures(since: number): Promise<readonly SessionFailure[] | null> {
    const apiVersion = await this.apiVersion();
    if (!INVENTORY_VERSIONS.includes(apiVersion)) return null;
    return readFailures({ getJson: (path, params) => this.#getJson(`${apiVersion}/${path}`, params), readPaged: this.#pagedRead(apiVersion) }, since);
  }

  async readRestorePoints(onPoint: (point: RestorePoint) => void, context?: ReadContext): Promise<SourceReport> {
    const apiVersion = await this.apiVersion();
    const intern = createWorkloadInterner();
    const identity: VmIdentity | null = context?.inventory && this.#identity ? vmIdentity(this.#identity.vms, this.#identity.owners) : null;
    // Points whose id may have been seen already wait for the end of the read (see SeenIds).
    const seen = new SeenIds<RestorePoint>();
    let skipped = 0;
    let duplicates = 0;
    let incomplete: string | null = null;
    const appliance = this.#settings.name;

    // Collections are read side by side; the request slots keep the appliance's load bounded.
    const reads = collectionsOf(apiVersion).map(async (collection) => {
      const sink = (records: readonly unknown[]) => {
        for (const record of records) {
          const converted = toRestorePoint(record, collection.kind, appliance, intern, identity);
          if (!converted.ok) {
            if (++skipped <= SKIP_LOG_LIMIT) {
              this.#logger.debug({ collection: collection.path, reason: converted.reason }, 'skipped a restore point record');
            }
            continue;
          }
          const fresh = seen.offer(converted.point.id, converted.point);
          if (fresh === true) onPoint(converted.point);
          else if (fresh === false) duplicates++;
        }
      };
      const result = await this.#readCollection(apiVersion, collection, sink);
      if (result?.incomplete) incomplete ??= `${collection.path}: ${result.incomplete}`;
    });
    // Every collection settles before the read answers: no point may arrive after it failed.
    const failure = (await Promise.allSettled(reads)).find((outcome) => outcome.status === 'rejected');
    // The points held back were read before any failure: they count either way.
    const settled = seen.settle();
    for (const point of settled.fresh) onPoint(point);
    duplicates += settled.duplicates;
    if (failure) throw failure.reason;
    if (skipped > SKIP_LOG_LIMIT) this.#logger.debug({ skipped }, 'skipped restore point records in all');
    if (skipped > 0) this.#logger.info({ skipped }, 'some restore point records could not be understood');
    return { apiVersion, skipped, duplicates, incomplete };
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
  #pagedRead(version: ApiVersion): PagedRead {
    return async (path: string, params: Readonly<Record<string, string>>, sink: PageSink) => {
      const fetchPage = async (offset: number, limit: number): Promise<WirePage> => {
        const page = wirePage.safeParse(await this.#getJson(`${version}/${path}`, { ...params, Offset: offset, Limit: limit }));
        if (!page.success) throw new VeeamError('malformed', `${this.#transport.host} sent a ${path} page without a results list.`);
        return page.data;
      };
      await readAllPages(fetchPage, sink, { pageSize: this.#pageSize, parallelism: this.#parallelism });
    };
  }

  async #readCollection(version: ApiVersion, collection: Collection, sink: (records: readonly unknown[]) => void) {
    const known = this.#servedPaths.get(collection.path);
    const paths = known ? [known] : [collection.path, ...(collection.fallbackPath ? [collection.fallbackPath] : [])];
    for (const [index, path] of paths.entries()) {
      const fetchPage = async (offset: number, limit: number): Promise<WirePage> => {
        const body = await this.#getJson(`${version}/${path}`, { Offset: offset, Limit: limit });
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

  /** GET with the bearer token; one renewal on a 401; one more try on a body that is not JSON. */
  async #getJson(path: string, searchParams?: SearchParams): Promise<unknown> {
    const host = this.#transport.host;
    const attempt = (token: string) =>
      this.#slots(() => this.#transport.http.get(path, { headers: { authorization: `Bearer ${token}` }, ...(searchParams ? { searchParams } : {}) }).json());
    let token = await this.#session.accessToken();
    for (let tries = 0; ; tries++) {
      try {
        return await attempt(token);
      } catch (error) {
        if (tries === 0 && isHTTPError(error) && error.response.status === 401) {
          this.#logger.debug({ path }, 'the appliance refused the token; renewing');
          token = await this.#session.afterUnauthorized(token);
          continue;
        }
        if (tries === 0 && error instanceof SyntaxError) {
          this.#logger.debug({ path }, 'the appliance sent a body that is not JSON; asking again');
          continue;
        }
        throw toVeeamError(error, host);
      }
    }
  }
}
