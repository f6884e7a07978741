/**
 * Test helpers for the Veeam client: a simulator and a client for it with fast settings (short
 * timeouts, millisecond backoff), reading every point into an array, and a throwaway CA made
 * with openssl for the TLS tests. Everything started here is closed by `closeAll()`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../src/log.ts';
import type { RestorePoint } from '../../src/restore-points/model.ts';
import type { SourceReport } from '../../src/restore-points/source.ts';
import type { ApiVersion } from '../../src/veeam/api-versions.ts';
import { VeeamClient, type ApplianceSettings, type VeeamClientOptions } from '../../src/veeam/client.ts';
import type { SimPoint } from '../../src/simulator/dataset.ts';
import { DEFAULT_SIM_USER, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.ts';
import type { RetryPolicy } from '../../src/veeam/transport.ts';

export const FAST_RETRY: RetryPolicy = { limit: 3, baseDelayMs: 5, backoffLimitMs: 50, maxRetryAfterMs: 2000 };

const simulators: Simulator[] = [];
const clients: VeeamClient[] = [];

/** Starts the simulator with exactly these options; `closeAll()` stops it. */
export async function startSim(options: SimulatorOptions): Promise<Simulator> {
  const sim = await startSimulator(options);
  simulators.push(sim);
  return sim;
}

export interface TestClientOptions extends Partial<Omit<VeeamClientOptions, 'appliance'>> {
  readonly appliance?: Partial<ApplianceSettings>;
  readonly apiVersion?: ApiVersion | 'auto';
}

/** A client for `target` (a simulator or a URL) with fast settings; each can be overridden. */
export function clientFor(target: Simulator | string, options: TestClientOptions = {}): VeeamClient {
  const { appliance, apiVersion, ...rest } = options;
  const client = new VeeamClient({
    appliance: {
      name: 'test-appliance',
      url: typeof target === 'string' ? target : target.url,
      username: DEFAULT_SIM_USER.username,
      password: DEFAULT_SIM_USER.password,
      apiVersion: apiVersion ?? 'auto',
      caPem: null,
      tlsInsecure: false,
      ...appliance,
    },
    logger: silentLogger(),
    requestTimeoutMs: 2000,
    retry: FAST_RETRY,
    ...rest,
  });
  clients.push(client);
  return client;
}

export interface PointsRead {
  readonly points: RestorePoint[];
  readonly report: SourceReport;
}

export async function readAll(client: VeeamClient): Promise<PointsRead> {
  const points: RestorePoint[] = [];
  const report = await client.readRestorePoints((point) => points.push(point));
  return { points, report };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Clients first (they log out while their simulator still runs), then simulators. */
export async function closeAll(): Promise<void> {
  for (const sim of simulators) {
    sim.faults.intercept = null;
    sim.faults.failures.length = 0;
    sim.faults.latencyMs = 0;
  }
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestCa {
  /** The CA that signed the server certificate. */
  readonly caPem: string;
  /** The server certificate (127.0.0.1 and localhost) and its key, for the simulator's `tls`. */
  readonly certPem: string;
  readonly keyPem: string;
  /** A second CA that has nothing to do with the server certificate. */
  readonly otherCaPem: string;
  /** A self-signed certificate for 127.0.0.1 and its key: how an appliance comes installed. */
  readonly selfSignedCertPem: string;
  readonly selfSignedKeyPem: string;
}

const run = promisify(execFile);
let testCa: Promise<TestCa> | null = null;

/** Generated once per test file (module), in a temporary directory removed afterwards. */
export function makeTestCa(): Promise<TestCa> {
  testCa ??= generateCa();
  return testCa;
}

async function generateCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'restorepoints-ca-'));
  const openssl = (...args: string[]) => run('/usr/bin/openssl', args, { cwd: dir });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string, cn: string) =>
    openssl(
      'req', '-x509', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    );
  try {
    await makeCa('ca', 'restorepoints test CA');
    await makeCa('other-ca', 'unrelated test CA');
    await openssl('req', '-new', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    await writeFile(
      join(dir, 'server.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    await openssl(
      'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext',
    );
    await openssl(
      'req', '-x509', ...ecKey, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    );
    const read = (file: string) => readFile(join(dir, file), 'utf8');
    return {
      caPem: await read('ca.pem'),
      certPem: await read('server.pem'),
      keyPem: await read('server.key'),
      otherCaPem: await read('other-ca.pem'),
      selfSignedCertPem: await read('self.pem'),
      selfSignedKeyPem: await read('self.key'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A simulated point as the minimal raw v8.1 VM record, for tests that serve pages themselves. */
export function rawVmRecord(point: SimPoint): Record<string, unknown> {
  return {
    id: point.id,
    type: point.type,
    pointInTime: new Date(point.pointInTime).toISOString(),
    backupSizeBytes: point.sizeBytes,
    vmName: point.workload,
    backupDestination: point.destination,
    isCorrupted: false,
    state: 'Ok',
    jobSessionId: point.jobSessionId,
  };
}
