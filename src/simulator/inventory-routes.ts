/**
 * The simulator's inventory and session routes (v7 and later): `/virtualMachines`, the
 * `/jobSessions` listing with its `Status` and `FromUtc` filters, a session's `protectedItems`
 * and `log`, VM restore points filtered by `VirtualMachineId`, and (v8.1) the VMs with backups,
 * `/protectedItem/virtualMachines`. Records follow Veeam's v8.1 OpenAPI schemas (VirtualMachine,
 * JobSession, ProtectedItem, JobSessionLog, ProtectedVirtualMachine).
 */
import type { Dataset, RecordSource, SimPoint, SimSession, SimVm } from './dataset.ts';
import { isoTime as iso } from './iso-time.ts';
import { wireSession } from './records.ts';

export interface RouteAnswer {
  readonly status: number;
  readonly body: object;
}

type Page = (records: readonly unknown[], query: URLSearchParams, path: string) => RouteAnswer;

/** Every value of a query parameter, its name matched without case (ASP.NET model binding). */
function queryAll(query: URLSearchParams, name: string): string[] {
  return [...query].filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);
}

export function wireVm(vm: SimVm): Record<string, unknown> {
  return {
    id: vm.id,
    azureId: `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vm.name}`,
    name: vm.name,
    azureEnvironment: 'Global',
    osType: 'Linux',
    regionName: vm.region,
    isDeleted: false,
    subscriptionId: vm.subscriptionId,
    subscriptionName: vm.subscriptionName,
    resourceGroupName: vm.resourceGroup,
  };
}

/** The inventory's VMs that have backups, each with its last backup (ProtectedVirtualMachine). */
function protectedVms(dataset: Dataset): Array<Record<string, unknown>> {
  const newest = new Map<string, number>();
  const source = dataset.collections.vm;
  if (source?.form === 'points') {
    for (let index = 0; index < source.count; index++) {
      const point = source.at(index);
      if (point.vmId !== undefined) newest.set(point.vmId, Math.max(point.pointInTime, newest.get(point.vmId) ?? -Infinity));
    }
  }
  return (dataset.inventory ?? []).flatMap((vm) => {
    const lastBackup = vm.lastBackup ?? newest.get(vm.id);
    if (lastBackup === undefined) return [];
    const { id, azureId, name, azureEnvironment, osType, regionName } = wireVm(vm);
    return [{ id, azureId, name, azureEnvironment, osType, regionName, totalSizeInGB: 30, isController: false, lastBackup: iso(lastBackup) }];
  });
}

function wireItem(session: SimSession, vm: SimVm, status: string): Record<string, unknown> {
  return {
    resource: {
      id: vm.id,
      name: vm.name,
      displayName: vm.name,
      resourceGroupName: vm.resourceGroup,
      resourceType: 'VirtualMachine',
      regionName: vm.region,
      subscriptionId: vm.subscriptionId,
      subscriptionName: vm.subscriptionName,
    },
    runs: [{ jobSessionId: session.id, status, startTime: iso(session.start), endTime: iso(session.stop) }],
    successCount: status === 'Success' ? 1 : 0,
    failureCount: status === 'Success' ? 0 : 1,
  };
}

function wireLog(session: SimSession): Record<string, unknown> {
  return {
    jobSessionId: session.id,
    log: (session.log ?? []).map((line) => ({ logTime: iso(session.start + line.afterMs), status: line.status, message: line.message })),
  };
}

/** The VM points of one VM, as a record source the ordinary page writer serves. */
export function pointsOfVm(source: RecordSource | undefined, vmId: string): RecordSource {
  if (!source || source.form !== 'points') return { form: 'raw', records: [] };
  const mine: SimPoint[] = [];
  for (let index = 0; index < source.count; index++) {
    const point = source.at(index);
    if (point.vmId === vmId) mine.push(point);
  }
  return { form: 'points', count: mine.length, at: (index) => mine[index]! };
}

/** An answer for these routes, or undefined for any other path. */
export function inventoryRoute(dataset: Dataset, rest: string, query: URLSearchParams, page: Page, baseUrl: string, version: string): RouteAnswer | undefined {
  if (rest === 'virtualMachines') return page((dataset.inventory ?? []).map(wireVm), query, rest);
  if (rest === 'protectedItem/virtualMachines' && version === 'v8.1') return page(protectedVms(dataset), query, rest);
  if (rest === 'jobSessions') {
    const statuses = queryAll(query, 'Status').map((status) => status.toLowerCase());
    const from = queryAll(query, 'FromUtc')[0];
    const fromMs = from === undefined ? null : Date.parse(from);
    const sessions = (dataset.sessions ?? [])
      .filter((session) => statuses.length === 0 || statuses.includes(session.status.toLowerCase()))
      .filter((session) => fromMs === null || Number.isNaN(fromMs) || session.start >= fromMs)
      .sort((a, b) => b.start - a.start);
    return page(sessions.map((session) => wireSession(session, baseUrl, version)), query, rest);
  }
  const items = /^jobSessions\/([^/]+)\/(protectedItems|log)$/.exec(rest);
  if (!items) return undefined;
  const session = dataset.jobSession(decodeURIComponent(items[1]!));
  if (!session) return undefined;
  if (items[2] === 'log') return { status: 200, body: wireLog(session) };
  return page((session.items ?? []).map((item) => wireItem(session, item.vm, item.status)), query, rest);
}
