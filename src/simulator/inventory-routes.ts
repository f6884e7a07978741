/**
 * The simulator's inventory and session routes (v7 and later): `/virtualMachines`, the
 * `/jobSessions` listing with its `Status` and `FromUtc` filters, a session's `protectedItems`
 * and `log`, and VM restore points filtered by `VirtualMachineId`. Records follow Veeam's v8.1
 * OpenAPI schemas (VirtualMachine, JobSession, ProtectedItem, JobSessionLog).
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
