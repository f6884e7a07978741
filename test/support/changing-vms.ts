/**
 * A simulated appliance whose VMs the test ages as it goes: one Snapshot point per VM, set to any
 * age at any time, so a watch reading it sees a VM go stale or come back.
 */
import type { Dataset, SimPoint } from '../../src/simulator/dataset.ts';

const HOUR = 3_600_000;

export interface ChangingVms {
  readonly dataset: Dataset;
  /** The VM's only point is now `hoursOld` hours old (a new point id, as a new backup would be). */
  setVm(name: string, hoursOld: number): void;
}

export function changingVms(): ChangingVms {
  let points: SimPoint[] = [];
  return {
    dataset: { collections: { vm: { form: 'points', get count() { return points.length; }, at: (index: number) => points[index]! } }, jobSession: () => null },
    setVm(name, hoursOld) {
      points = [
        ...points.filter((point) => point.workload !== name),
        {
          id: `point-${name}-${hoursOld}`, kind: 'vm', workload: name, pointInTime: Date.now() - hoursOld * HOUR, sizeBytes: 1, destination: 'Snapshot',
          type: 'Full', corrupted: false, jobSessionId: `session-${name}`, region: 'westeurope',
        },
      ];
    },
  };
}
