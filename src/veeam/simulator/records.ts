/**
 * Simulated points and sessions in the wire shapes of the API versions: the v1 document's shape
 * for v1…v3, Veeam's v8.1 OpenAPI schemas for the rest.
 */
import type { SimPoint, SimSession } from './dataset.ts';

export type Shape = 'v1' | 'current';

const iso = (ms: number) => new Date(ms).toISOString();

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
        accessTier: point.destination === 'AzureBlob' ? 'Hot' : null,
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
