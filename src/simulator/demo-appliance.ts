/**
 * The embedded demo appliance: the simulator with generated history, configured like a real
 * appliance, so `demo` and `serve --demo` exercise exactly the code a real appliance would.
 */
import type { ApplianceConfig } from '../config/types.ts';
import { DEFAULT_STALE_POLICY } from '../restore-points/stale-policy.ts';
import { demoDataset } from './dataset.ts';
import { DEFAULT_SIM_USER, startSimulator } from './server.ts';

export interface DemoAppliance {
  readonly appliance: ApplianceConfig;
  close(): Promise<void>;
}

/** How the bot is configured for a simulator: its default account, default thresholds. */
export function simulatedAppliance(url: string, name: string, overrides: Partial<ApplianceConfig> = {}): ApplianceConfig {
  return {
    name,
    url,
    username: DEFAULT_SIM_USER.username,
    password: DEFAULT_SIM_USER.password,
    apiVersion: 'auto',
    caPem: null,
    tlsInsecure: false,
    staleAfter: DEFAULT_STALE_POLICY,
    digestChannels: [],
    ...overrides,
  };
}

export async function startDemoAppliance(now: number, name = 'demo-appliance'): Promise<DemoAppliance> {
  const simulator = await startSimulator({ dataset: demoDataset({ now }), users: [DEFAULT_SIM_USER] });
  return { appliance: simulatedAppliance(simulator.url, name), close: () => simulator.close() };
}
