/**
 * The client side of the read-path comparison: VeeamClient.readRestorePoints folding into a
 * PointTally, then summariseTally. Loaded only in the client's process, so that the floor's
 * process holds none of the bot's modules.
 */
import { silentLogger } from '../src/log.ts';
import { DEFAULT_STALE_POLICY } from '../src/restore-points/stale-policy.ts';
import { summariseTally } from '../src/restore-points/summarise.ts';
import { PointTally } from '../src/restore-points/tally.ts';
import { VeeamClient } from '../src/veeam/client.ts';

export interface ClientRead {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly pageSize: number;
  readonly parallelism: number;
  readonly now: number;
}

/** Reads and summarises the appliance; answers the number of restore points in the summary. */
export async function readAndSummarise(options: ClientRead): Promise<number> {
  const veeam = new VeeamClient({
    appliance: { name: 'bench', url: options.url, username: options.username, password: options.password, apiVersion: 'auto', caPem: null, tlsInsecure: false },
    logger: silentLogger(),
    pageSize: options.pageSize,
    parallelism: options.parallelism,
  });
  const tally = new PointTally();
  const report = await veeam.readRestorePoints((point) => tally.add(point));
  const summary = summariseTally(tally, { name: 'bench', url: options.url, apiVersion: report.apiVersion, error: null, skipped: report.skipped }, DEFAULT_STALE_POLICY, options.now);
  if (report.incomplete) throw new Error(`the read was incomplete: ${report.incomplete}`);
  return summary.restorePoints;
}
