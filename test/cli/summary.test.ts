import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDataset, rawDataset } from '../../src/simulator/dataset.ts';
import { APPLIANCE_1_0, DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { runCli } from '../support/cli.ts';

const seed = JSON.parse(readFileSync(new URL('../fixtures/seed-v1-restore-points.json', import.meta.url), 'utf8')) as { results: unknown[] };

const credentials = { VEEAM_USERNAME: DEFAULT_SIM_USER.username, VEEAM_PASSWORD: DEFAULT_SIM_USER.password };

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const NO_STACK = /\n\s+at .+\(.+:\d+:\d+\)/;

describe('restorepoints summary', () => {
  let modern: Simulator;
  let legacy: Simulator;
  beforeAll(async () => {
    modern = await startSimulator({ dataset: demoDataset({ now: Date.now() }) });
    legacy = await startSimulator({ dataset: rawDataset(seed.results), versions: APPLIANCE_1_0 });
  });
  afterAll(async () => {
    await modern.close();
    await legacy.close();
  });

  it('prints the v8.1 summary as one JSON document, field for field', async () => {
    const result = await runCli(['summary', '--json'], { ...credentials, VEEAM_URL: modern.url, VEEAM_NAME: 'weu' });
    expect(result.status, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document)).toEqual(['generatedAt', 'appliances']);
    const [appliance] = document.appliances;
    expect(appliance).toMatchObject({ name: 'weu', url: modern.url, apiVersion: 'v8.1', error: null, skipped: 0 });
    expect(appliance.restorePoints).toBeGreaterThan(100);
    expect(appliance.corrupted).toBe(1);
    expect(appliance.destinations.map((d: { destination: string }) => d.destination)).toEqual(['Snapshot', 'AzureBlob', 'ManualSnapshot']);
    const vm = appliance.workloads.find((w: { name: string }) => w.name === 'vm-sql-01');
    expect(vm).toMatchObject({ kind: 'vm', stale: false });
    // Issue 13: newest beside latest, the workload's id and its last failure; coverage and failures.
    expect(Object.keys(vm.destinations.Snapshot)).toEqual(['restorePoints', 'latest', 'newest', 'stale']);
    expect(vm.id).toEqual(expect.any(String));
    expect(appliance.workloads.some((w: { kind: string }) => w.kind === 'sql')).toBe(true);
    expect(appliance.workloads.filter((w: { stale: boolean }) => w.stale).map((w: { name: string }) => w.name)).toEqual(['vm-build-01', 'vm-erp-01']);
    const webs = appliance.workloads.filter((w: { name: string }) => w.name === 'vm-web-01');
    expect(new Set(webs.map((w: { id: string }) => w.id)).size).toBe(2);
    expect(appliance.coverage).toMatchObject({ workloads: 15, protected: 13 });
    expect(appliance.coverage.unprotected.map((u: { name: string }) => u.name)).toEqual(['vm-new-07', 'vm-test-03']);
    expect(appliance.failures.map((f: { status: string; policy: string }) => `${f.status} ${f.policy}`)).toEqual(
      expect.arrayContaining(['Error Gold-VMs']),
    );
    const build = appliance.workloads.find((w: { name: string }) => w.name === 'vm-build-01');
    expect(build.lastFailure).toMatchObject({ status: 'Error', message: expect.stringMatching(/locked by another operation/) });
    const erp = appliance.workloads.find((w: { name: string }) => w.name === 'vm-erp-01');
    expect(erp.destinations.AzureBlob.newest).toMatchObject({ corrupted: true });
  });

  it('prints the v1 summary of the seed document', async () => {
    const result = await runCli(['summary', '--json'], { ...credentials, VEEAM_URL: legacy.url });
    expect(result.status, result.stderr).toBe(0);
    const [appliance] = JSON.parse(result.stdout).appliances;
    expect(appliance).toMatchObject({ name: '127.0.0.1', apiVersion: 'v1', restorePoints: 5, workloads: [] });
    const latest = Object.fromEntries(appliance.destinations.map((d: { destination: string; latest: { id: string } }) => [d.destination, d.latest.id]));
    expect(latest).toEqual({
      Snapshot: 'cd88a27f-afb0-4bd2-b9e7-bc1bd47252a0',
      AzureBlob: '1e1782e9-9921-4e11-980a-77203e9c691a',
      ManualSnapshot: '15ed5dd3-c759-4726-9682-be9f9d72a7d5',
    });
  });

  it('still prints the JSON, with the error, and exits non-zero when the appliance is down', async () => {
    const port = await closedPort();
    const result = await runCli(['summary', '--json'], { ...credentials, VEEAM_URL: `http://127.0.0.1:${port}` });
    expect(result.status).toBe(1);
    const [appliance] = JSON.parse(result.stdout).appliances;
    expect(appliance.apiVersion).toBeNull();
    expect(appliance.error).toMatch(/Cannot reach 127\.0\.0\.1:\d+: the connection was refused/);
    expect(result.stderr).toContain(appliance.error);
    expect(result.stderr).not.toMatch(NO_STACK);
  });

  it('says what is wrong with the configuration, all at once, without a stack trace', async () => {
    const result = await runCli(['summary'], { VEEAM_URL: 'vba.example.com', LOG_LEVEL: 'loud' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    for (const variable of ['VEEAM_URL', 'VEEAM_USERNAME', 'VEEAM_PASSWORD', 'LOG_LEVEL']) expect(result.stderr).toContain(variable);
    expect(result.stderr).not.toMatch(NO_STACK);
  });

  it('prints a readable table without --json', async () => {
    const result = await runCli(['summary'], { ...credentials, VEEAM_URL: modern.url, VEEAM_NAME: 'weu' });
    expect(result.status, result.stderr).toBe(0);
    // Issue 13: coverage on the appliance's line; the age column is called Age, the time Latest, and
    // stale workloads have their own column instead of hiding in Status.
    expect(result.stdout).toMatch(/^weu {2}http:\/\/127\.0\.0\.1:\d+\n {2}API v8\.1 · \d+ restore points · [\d.]+ TiB · 13 of 15 VMs protected · 1 corrupted/);
    expect(result.stdout).toMatch(/Destination +Status +Age +Latest \(UTC\) +Size +Points +Stale workloads/);
    expect(result.stdout).toMatch(/Not protected \(2\): vm-new-07 \(rg-dev · Development\), vm-test-03/);
    expect(result.stdout).toMatch(/vm-build-01 \(vm\): Snapshot 3d.* — last failure: Error · Gold-VMs · .*locked by another operation/);
    expect(result.stdout).toMatch(/Stale workloads \(2\):\n +vm-build-01 \(vm\): Snapshot 3d/);
  });
});

describe('restorepoints demo, --help, --version', () => {
  it('demo needs no credentials and exits 0', async () => {
    const result = await runCli(['demo']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('demo-appliance');
    expect(result.stdout).toMatch(/Snapshot +\S/);
  });

  it('--help lists the commands; --version prints the version', async () => {
    const help = await runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/demo/);
    expect(help.stdout).toMatch(/summary/);
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown command is a usage error', async () => {
    const result = await runCli(['restore-everything']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command/);
  });
});
