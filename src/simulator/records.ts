/**
 * Simulated points and sessions in the wire shapes of the API versions: the v1 document's shape
 * for v1…v3, Veeam's v8.1 OpenAPI schemas for the rest.
 */
import { isoTime as iso } from './iso-time.ts';
import type { SimPoint, SimSession } from './dataset.ts';

export type Shape = 'v1' | 'current';

function timeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  const fraction = String((ms % 1000) * 10_000).padStart(7, '0');
  return `${days > 0 ? `${days}.` : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${fraction}`;
}

export function wirePoint(point: SimPoint, shape: Shape, baseUrl: string, version: string): Record<string, unknown> {
  const api = `${baseUrl}/api/${version}`;
  if (shape === 'v1') {
    return {
      id: point.id,
      pointInTime: iso(point.pointInTime),
      backupSizeBytes: point.sizeBytes,
      backupDestination: point.destination,
      _embeddedResources: {},
      _links: {
        self: { href: `${api}/restorePoints/${point.id}` },
        BackupJob: { href: `${api}/jobSessions/${point.jobSessionId}` },
      },
    };
  }
  const common = {
    id: point.id,
    type: point.type,
    pointInTime: iso(point.pointInTime),
    isCorrupted: point.corrupted,
    gfsFlags: 'None',
    state: point.corrupted ? 'Corrupted' : 'Ok',
    jobSessionId: point.jobSessionId,
  };
  switch (point.kind) {
    case 'vm':
      return {
        ...common,
        vbrId: null,
        pointInTimeLocalTime: iso(point.pointInTime),
        backupSizeBytes: point.sizeBytes,
        vmName: point.workload,
        resourceHashId: `hash-${point.workload}`,
        regionId: point.region,
        regionName: point.region,
        backupDestination: point.destination,
        _links: { self: { href: `${api}/restorePoints/virtualMachines/${point.id}` } },
        dataRetrievalStatus: 'None',
        retrievedDataExpirationDate: null,
        notifyBeforeRetrievedDataExpirationHours: null,
        immutableTill: null,
        accessTier: point.accessTier ?? (point.destination === 'AzureBlob' ? 'Hot' : null),
        latestChainSizeBytes: point.sizeBytes,
      };
    case 'sql':
      return {
        ...common,
        databaseId: `db-${point.workload}`,
        databaseName: point.workload,
        sqlServerId: `server-${point.server ?? 'sql'}`,
        sqlServerName: point.server ?? 'sql',
        vbrId: null,
        backupSizeBytes: point.sizeBytes,
        backupDestination: point.destination,
        dataRetrievalStatus: 'None',
        retrievedDataExpirationDate: null,
        notifyBeforeRetrievedDataExpirationHours: null,
        immutableTill: null,
        accessTier: 'Hot',
        latestChainSizeBytes: point.sizeBytes,
        _links: { self: { href: `${api}/restorePoints/sql/${point.id}` } },
      };
    case 'fileShare':
      return {
        ...common,
        indexed: false,
        fileShareId: `share-${point.workload}`,
        fileShareName: point.workload,
        regionId: point.region,
        regionName: point.region,
        backupDestination: point.destination,
        sizeInBytes: point.sizeBytes,
        _links: { self: { href: `${api}/restorePoints/fileShares/${point.id}` } },
      };
    case 'cosmosDb':
      return {
        ...common,
        accountName: point.workload,
        accountId: `account-${point.workload}`,
        vbrId: null,
        backupSizeBytes: point.sizeBytes,
        backupDestination: point.destination,
        dataRetrievalStatus: 'None',
        retrievedDataExpirationDate: null,
        notifyBeforeRetrievedDataExpirationHours: null,
        immutableTill: null,
        accessTier: 'Hot',
        latestChainSizeBytes: point.sizeBytes,
        subscriptionId: '00000000-0000-4000-8000-00000000c05d',
        subscriptionName: 'Production',
        tenantId: null,
        tenantName: null,
        regionName: point.region,
        resourceGroupName: 'rg-data',
        _links: { self: { href: `${api}/restorePoints/cosmosDb/repository/${point.id}` } },
      };
  }
}

/** Printable ASCII that JSON writes as it is (no quote, no backslash). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A string's JSON text without its quotes; plain names and ids skip JSON.stringify. */
function inner(text: string): string {
  return PLAIN.test(text) ? text : JSON.stringify(text).slice(1, -1);
}

/** Sizes repeat across a dataset, and writing a large number is slow: their text is kept (a few). */
const numbers = new Map<number, string>();

/** A number's JSON text (NaN and infinities become null, as in JSON.stringify). */
function num(value: number): string {
  let text = numbers.get(value);
  if (text === undefined) {
    text = Number.isFinite(value) ? String(value) : 'null';
    if (numbers.size >= 4096) numbers.clear();
    numbers.set(value, text);
  }
  return text;
}

/**
 * Exactly `JSON.stringify(wirePoint(point, shape, baseUrl, version))`, written as one template:
 * pages of a million generated points must cost the simulator far less than reading them costs a
 * client, so that the simulator is never what a test or the benchmark measures.
 */
export function wirePointJson(point: SimPoint, shape: Shape, baseUrl: string, version: string): string {
  const api = inner(`${baseUrl}/api/${version}`);
  const id = inner(point.id);
  const time = iso(point.pointInTime);
  const size = num(point.sizeBytes);
  const destination = inner(point.destination);
  if (shape === 'v1') {
    return (
      `{"id":"${id}","pointInTime":"${time}","backupSizeBytes":${size},"backupDestination":"${destination}","_embeddedResources":{},` +
      `"_links":{"self":{"href":"${api}/restorePoints/${id}"},"BackupJob":{"href":"${api}/jobSessions/${inner(point.jobSessionId)}"}}}`
    );
  }
  const common =
    `{"id":"${id}","type":"${inner(point.type)}","pointInTime":"${time}","isCorrupted":${point.corrupted},"gfsFlags":"None",` +
    `"state":"${point.corrupted ? 'Corrupted' : 'Ok'}","jobSessionId":"${inner(point.jobSessionId)}"`;
  const workload = inner(point.workload);
  const retrieval = `"dataRetrievalStatus":"None","retrievedDataExpirationDate":null,"notifyBeforeRetrievedDataExpirationHours":null,"immutableTill":null`;
  switch (point.kind) {
    case 'vm': {
      const region = inner(point.region);
      return (
        `${common},"vbrId":null,"pointInTimeLocalTime":"${time}","backupSizeBytes":${size},"vmName":"${workload}",` +
        `"resourceHashId":"hash-${workload}","regionId":"${region}","regionName":"${region}","backupDestination":"${destination}",` +
        `"_links":{"self":{"href":"${api}/restorePoints/virtualMachines/${id}"}},${retrieval},` +
        `"accessTier":${point.accessTier ? `"${inner(point.accessTier)}"` : point.destination === 'AzureBlob' ? '"Hot"' : 'null'},"latestChainSizeBytes":${size}}`
      );
    }
    case 'sql': {
      const server = inner(point.server ?? 'sql');
      return (
        `${common},"databaseId":"db-${workload}","databaseName":"${workload}","sqlServerId":"server-${server}","sqlServerName":"${server}",` +
        `"vbrId":null,"backupSizeBytes":${size},"backupDestination":"${destination}",${retrieval},"accessTier":"Hot",` +
        `"latestChainSizeBytes":${size},"_links":{"self":{"href":"${api}/restorePoints/sql/${id}"}}}`
      );
    }
    case 'fileShare': {
      const region = inner(point.region);
      return (
        `${common},"indexed":false,"fileShareId":"share-${workload}","fileShareName":"${workload}","regionId":"${region}",` +
        `"regionName":"${region}","backupDestination":"${destination}","sizeInBytes":${size},` +
        `"_links":{"self":{"href":"${api}/restorePoints/fileShares/${id}"}}}`
      );
    }
    case 'cosmosDb':
      return (
        `${common},"accountName":"${workload}","accountId":"account-${workload}","vbrId":null,"backupSizeBytes":${size},` +
        `"backupDestination":"${destination}",${retrieval},"accessTier":"Hot","latestChainSizeBytes":${size},` +
        `"subscriptionId":"00000000-0000-4000-8000-00000000c05d","subscriptionName":"Production","tenantId":null,"tenantName":null,` +
        `"regionName":"${inner(point.region)}","resourceGroupName":"rg-data","_links":{"self":{"href":"${api}/restorePoints/cosmosDb/repository/${id}"}}}`
      );
  }
}

export function wireSession(session: SimSession, baseUrl: string, version: string): Record<string, unknown> {
  return {
    id: session.id,
    type: session.type,
    localizedType: session.localizedType,
    executionStartTime: iso(session.start),
    executionStopTime: iso(session.stop),
    executionDuration: timeSpan(session.stop - session.start),
    status: session.status,
    backupJobInfo: {
      policyId: '00000000-0000-4000-8000-0000000000aa',
      policyName: session.policyName,
      policyType: 'VirtualMachines',
      protectedInstancesCount: session.protectedInstances,
      policyRemoved: false,
    },
    _links: { self: { href: `${baseUrl}/api/${version}/jobSessions/${session.id}` } },
  };
}

/**
 * A page of generated points, written into one buffer as it is made: a page is never joined into
 * one string first (joining a thousand record strings costs more than writing them).
 */
export class PageWriter {
  readonly #baseUrl: string;
  #buffer: Buffer = Buffer.allocUnsafe(0);
  #length = 0;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  /** Starts a page: `expectedBytes` sizes the buffer so that it seldom has to grow. */
  begin(expectedBytes: number): this {
    this.#buffer = Buffer.allocUnsafe(Math.max(256, expectedBytes));
    this.#length = 0;
    return this;
  }

  /** The page so far; the next `begin` starts a new buffer, so these bytes stay as they are. */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  /** JSON text, written as it is. */
  text(text: string): this {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; only near the end is the exact size needed.
    if (this.#length + text.length * 3 > this.#buffer.length) {
      const needed = this.#length + Buffer.byteLength(text, 'utf8');
      if (needed > this.#buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, needed));
        this.#buffer.copy(bigger, 0, 0, this.#length);
        this.#buffer = bigger;
      }
    }
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
    return this;
  }

  /** `JSON.stringify(wirePoint(point, …))`, after a comma unless it is the first of the page. */
  point(point: SimPoint, shape: Shape, version: string, first: boolean): this {
    const json = wirePointJson(point, shape, this.#baseUrl, version);
    return this.text(first ? json : `,${json}`);
  }
}
