/**
 * The simulated appliance in its own process, so that the process being measured only does
 * client work. Restore points are generated from their index as pages are asked for: nothing is
 * held. The parent controls it over IPC: statistics and the latency fault.
 */
import { demoDataset, syntheticDataset, type Dataset } from '../src/simulator/dataset.ts';
import { startSimulator } from '../src/simulator/server.ts';
import { childOptions, tellParent } from './lib/child.ts';

export interface SimProcessOptions {
  readonly dataset: { readonly kind: 'synthetic'; readonly points: number; readonly vms: number; readonly newest: number } | { readonly kind: 'demo'; readonly now: number };
  readonly latencyMs?: number;
}

export type SimProcessMessage =
  | { readonly type: 'ready'; readonly url: string }
  | {
      readonly type: 'stats';
      readonly requests: number;
      readonly pageRequests: number;
      readonly gets: Record<string, number>;
      readonly passwordLogins: number;
      /** CPU time the simulator process has used so far (user + system). */
      readonly cpuMs: number;
    };

export type SimProcessCommand = { readonly type: 'stats' } | { readonly type: 'reset' } | { readonly type: 'latency'; readonly ms: number };

const options = childOptions<SimProcessOptions>();
const dataset: Dataset =
  options.dataset.kind === 'synthetic'
    ? syntheticDataset({ points: options.dataset.points, vms: options.dataset.vms, newest: options.dataset.newest })
    : demoDataset({ now: options.dataset.now });
const sim = await startSimulator({ dataset, faults: { latencyMs: options.latencyMs ?? 0 } });

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

process.on('message', (raw) => {
  const command = raw as SimProcessCommand;
  if (command.type === 'latency') sim.faults.latencyMs = command.ms;
  if (command.type === 'reset') {
    sim.stats.gets.clear();
    sim.stats.requests = 0;
    sim.stats.passwordLogins = 0;
  }
  if (command.type === 'stats' || command.type === 'reset' || command.type === 'latency') {
    void tellParent({
      type: 'stats',
      requests: sim.stats.requests,
      pageRequests: sim.pageRequests(),
      gets: Object.fromEntries(sim.stats.gets),
      passwordLogins: sim.stats.passwordLogins,
      cpuMs: cpuMs(),
    } satisfies SimProcessMessage);
  }
});
process.on('disconnect', () => {
  void sim.close().then(() => process.exit(0));
});
await tellParent({ type: 'ready', url: sim.url } satisfies SimProcessMessage);
