/**
 * The client against hostile appliances over real HTTP on loopback (issue 11): redirects, a lying
 * totalCount, pages that never end or never come, bodies that break off, ids shared between
 * collections, and the read deadline. Each case checks what the reader is told and that the read
 * stayed bounded (requests made, bytes taken).
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { simUuid, type SimPoint } from '../../src/simulator/dataset.ts';
import { VeeamError } from '../../src/veeam/errors.ts';
import { ApplianceReader } from '../../src/appliances/reader.ts';
import { silentLogger } from '../../src/log.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { pageOf, sendJson, startHostileAppliance, type HostileAppliance, type HostileRequest } from '../support/hostile-appliance.ts';
import { clientFor, closeAll, rawVmRecord, readAll, rejection } from '../support/veeam.ts';

const HOUR = 3_600_000;
const NOW = Date.now();
const VMS = '/api/v8.1/restorePoints/virtualMachines';
const SQL = '/api/v8.1/restorePoints/sql';

const hostiles: HostileAppliance[] = [];
async function hostile(...args: Parameters<typeof startHostileAppliance>): Promise<HostileAppliance> {
  const appliance = await startHostileAppliance(...args);
  hostiles.push(appliance);
  return appliance;
}
afterEach(async () => {
  await closeAll();
  await Promise.all(hostiles.splice(0).map((appliance) => appliance.close()));
});

function vmRecord(index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const point: SimPoint = {
    id: simUuid(0x11, index),
    kind: 'vm',
    workload: `vm-${index % 3}`,
    pointInTime: NOW - (index + 1) * HOUR,
    sizeBytes: 1024,
    destination: 'Snapshot',
    type: 'Full',
    corrupted: false,
    jobSessionId: `session-${index}`,
    region: 'westeurope',
  };
  return { ...rawVmRecord(point), ...extra };
}

const records = (count: number, from = 0) => Array.from({ length: count }, (_, index) => vmRecord(from + index));
const offsetOf = (request: HostileRequest) => Number(request.query.get('Offset') ?? 0);
const v81 = { apiVersion: 'v8.1' as const };

describe('redirects are never followed', () => {
  it('a 307 on the login is an error naming the Location, and the other host never sees the password', async () => {
    const elsewhere = await hostile();
    const appliance = await hostile((request, response) => {
      if (request.path !== '/api/oauth2/token') return false;
      response.writeHead(307, { location: `${elsewhere.url}/api/oauth2/token` }).end();
      return true;
    });
    const error = await rejection(readAll(clientFor(appliance.url, v81)));
    expect(error).toBeInstanceOf(VeeamError);
    expect((error as VeeamError).kind).toBe('redirected');
    expect((error as VeeamError).message).toContain(`${elsewhere.url}/api/oauth2/token`);
    expect((error as VeeamError).message).toMatch(/never follows a redirect/);
    expect(elsewhere.requests).toEqual([]);
  });

  it.each([301, 302, 303, 308])('a %i on a restore-point page lets no other host in and carries no token there', async (status) => {
    const elsewhere = await hostile((_request, response) => (sendJson(response, 200, pageOf(records(5, 100))), true));
    const appliance = await hostile((request, response) => {
      if (request.path !== VMS) return false;
      response.writeHead(status, { location: `${elsewhere.url}${VMS}` }).end();
      return true;
    });
    const error = await rejection(readAll(clientFor(appliance.url, v81)));
    expect((error as VeeamError).kind).toBe('redirected');
    expect((error as VeeamError).message).toContain(`${status} redirecting to "${elsewhere.url}${VMS}"`);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe('paging metadata is a hint', () => {
  it('a short first page with a huge totalCount ends at the first empty planned page', async () => {
    const appliance = await hostile((request, response) => {
      if (request.path !== VMS) return false;
      const offset = offsetOf(request);
      sendJson(response, 200, pageOf(offset < 3 ? records(1, offset) : [], { offset, limit: 1, totalCount: 2_147_483_647 }));
      return true;
    });
    const { points, report } = await readAll(clientFor(appliance.url, { ...v81, pageSize: 1000, parallelism: 4 }));
    expect(points).toHaveLength(3);
    expect(report.incomplete).toBeNull();
    // Three pages of data, then at most one empty page per worker: nowhere near 100,000 pages.
    expect(appliance.requests.filter((request) => request.path === VMS).length).toBeLessThanOrEqual(3 + 4);
  });
});

describe('the read deadline (READ_TIMEOUT)', () => {
  it('a page that never comes ends the read at the deadline with the points read and a sentence', async () => {
    const appliance = await hostile((request) => {
      if (request.path !== VMS) return false;
      if (offsetOf(request) === 0) return false; // answered below
      return true; // never answered
    });
    appliance.handle = (request, response) => {
      if (request.path !== VMS) return false;
      if (offsetOf(request) === 0) sendJson(response, 200, pageOf(records(10), { limit: 10, totalCount: 30 }));
      return true; // later pages hang
    };
    const started = Date.now();
    const { points, report } = await readAll(
      clientFor(appliance.url, { ...v81, appliance: { readTimeoutMs: 700 }, requestTimeoutMs: 60_000, pageSize: 10 }),
    );
    expect(points).toHaveLength(10);
    expect(report.incomplete).toBe('it did not finish within 700 ms (READ_TIMEOUT)');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a login that never answers fails the read at the deadline with a sentence', async () => {
    const appliance = await hostile((request) => request.path === '/api/oauth2/token' && request.method === 'POST');
    const error = await rejection(readAll(clientFor(appliance.url, { ...v81, appliance: { readTimeoutMs: 500 }, requestTimeoutMs: 60_000 })));
    expect((error as VeeamError).kind).toBe('timeout');
    expect((error as VeeamError).message).toMatch(/did not finish logging in and answering within .*READ_TIMEOUT/);
  });
});

describe('one deadline for the whole read: inventory, points and failed sessions', () => {
  const readerOf = (appliance: HostileAppliance, readTimeoutMs: number) =>
    new ApplianceReader({
      name: 'hostile',
      url: appliance.url,
      source: clientFor(appliance.url, { ...v81, appliance: { readTimeoutMs }, requestTimeoutMs: 60_000 }),
      policy: DEFAULT_STALE_POLICY,
      cacheTtlMs: 0,
      logger: silentLogger(),
    });
  const vmsFast = (request: HostileRequest, response: ServerResponse) => request.path === VMS && (sendJson(response, 200, pageOf(records(5))), true);

  it('an inventory that never answers ends at the deadline as a note; the reading says it is incomplete', async () => {
    const appliance = await hostile((request, response) => request.path === '/api/v8.1/virtualMachines' || vmsFast(request, response));
    const started = Date.now();
    const reading = await readerOf(appliance, 700).read();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(reading.inventory).toBeNull();
    expect(reading.notes.join(' ')).toMatch(/VM inventory of hostile could not be read.*did not finish within 700 ms \(READ_TIMEOUT\)/);
    expect(reading.error).toBe('The read of hostile is incomplete: it did not finish within 700 ms (READ_TIMEOUT).');
  });

  it('failed sessions that never answer end at the deadline as a note; the points stand, the reading is no error', async () => {
    const appliance = await hostile((request, response) => {
      if (request.path === '/api/v8.1/virtualMachines') return (sendJson(response, 200, pageOf([])), true);
      return request.path === '/api/v8.1/jobSessions' || vmsFast(request, response);
    });
    const started = Date.now();
    const reading = await readerOf(appliance, 700).read();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(reading.error).toBeNull();
    expect(reading.tally.points).toBe(5);
    expect(reading.failures).toBeNull();
    expect(reading.notes.join(' ')).toMatch(/failed sessions of hostile could not be read.*did not finish within 700 ms \(READ_TIMEOUT\)/);
  });

  it('a session log that never answers stops the failure read at the deadline too, its request aborted', async () => {
    const session = { id: 'session-1', status: 'Error', type: 'PolicyBackup', executionStartTime: new Date(NOW).toISOString() };
    const appliance = await hostile((request, response) => {
      if (request.path === '/api/v8.1/jobSessions') return (sendJson(response, 200, pageOf([session])), true);
      if (request.path === '/api/v8.1/jobSessions/session-1/protectedItems') return (sendJson(response, 200, pageOf([])), true);
      return request.path === '/api/v8.1/jobSessions/session-1/log'; // never answered
    });
    const error = await rejection(clientFor(appliance.url, { ...v81, appliance: { readTimeoutMs: 600 }, requestTimeoutMs: 60_000 }).readFailures(NOW - 24 * HOUR));
    expect((error as VeeamError).kind).toBe('timeout');
    expect((error as VeeamError).message).toBe('it did not finish within 600 ms (READ_TIMEOUT)');
  });
});

describe('bounded bodies (MAX_PAGE_BYTES)', () => {
  it('a page declared larger than the limit is refused at once with a sentence', async () => {
    const appliance = await hostile((request, response) => {
      if (request.path !== VMS) return false;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 ** 2) });
      response.write('{"results":[');
      return true;
    });
    const error = await rejection(readAll(clientFor(appliance.url, { ...v81, appliance: { maxPageBytes: 1024 ** 2 } })));
    expect((error as VeeamError).kind).toBe('too-large');
    expect((error as VeeamError).message).toMatch(/larger than 1 MiB \(MAX_PAGE_BYTES\)/);
  });

  it('an endless page without a length is cut off at the limit: the bot stops reading it', async () => {
    let written = 0;
    let closed: Promise<void> = Promise.resolve();
    const appliance = await hostile((request, response: ServerResponse) => {
      if (request.path !== VMS) return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      closed = new Promise((resolve) => {
        const pump = () => {
          while (!response.destroyed && written < 200 * 1024 ** 2) {
            written += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          resolve();
        };
        response.once('close', () => resolve());
        response.write('{"results":[');
        pump();
      });
      return true;
    });
    const error = await rejection(readAll(clientFor(appliance.url, { ...v81, appliance: { maxPageBytes: 1024 ** 2 } })));
    expect((error as VeeamError).message, String(error)).toMatch(/MAX_PAGE_BYTES/);
    expect((error as VeeamError).kind).toBe('too-large');
    await closed;
    // The server could push what the socket buffers hold past the limit, never the 200 MB.
    expect(written).toBeLessThan(50 * 1024 ** 2);
  });
});

describe('a bounded login answer', () => {
  it('a login answer of megabytes is refused, not taken into memory', async () => {
    const appliance = await hostile((request, response) => {
      if (request.path !== '/api/oauth2/token' || request.method !== 'POST') return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: 'x'.repeat(2 * 1024 ** 2), expires_in: 3600 }));
      return true;
    });
    const error = await rejection(readAll(clientFor(appliance.url, v81)));
    expect((error as VeeamError).kind).toBe('too-large');
    expect((error as VeeamError).message).toMatch(/sent an answer to the login larger than/);
  });
});

describe('a connection reset in the middle of a page body', () => {
  it('is retried like any idempotent GET, and the read completes', async () => {
    let broken = 0;
    const appliance = await hostile((request, response, raw) => {
      if (request.path !== VMS) return false;
      const body = JSON.stringify(pageOf(records(20)));
      if (broken++ === 0) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        response.write(body.slice(0, body.length / 2), () => raw.socket.destroy());
        return true;
      }
      sendJson(response, 200, JSON.parse(body));
      return true;
    });
    const { points, report } = await readAll(clientFor(appliance.url, v81));
    expect(points).toHaveLength(20);
    expect(report.incomplete).toBeNull();
    expect(appliance.requests.filter((request) => request.path === VMS)).toHaveLength(2);
  });

  it('a body that stops arriving half-way is asked again, like one that broke off', async () => {
    let stalled = 0;
    const appliance = await hostile((request, response) => {
      if (request.path !== VMS) return false;
      const body = JSON.stringify(pageOf(records(20)));
      if (stalled++ === 0) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        response.write(body.slice(0, 100)); // and nothing more
        return true;
      }
      sendJson(response, 200, JSON.parse(body));
      return true;
    });
    const { points } = await readAll(clientFor(appliance.url, { ...v81, requestTimeoutMs: 300 }));
    expect(points).toHaveLength(20);
    expect(appliance.requests.filter((request) => request.path === VMS)).toHaveLength(2);
  });

  it('gives up with a sentence when every attempt breaks off', async () => {
    const appliance = await hostile((request, response, raw) => {
      if (request.path !== VMS) return false;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"results":[', () => raw.socket.destroy());
      return true;
    });
    const error = await rejection(readAll(clientFor(appliance.url, v81)));
    expect((error as VeeamError).message).toMatch(/broke off its answer to .*restorePoints\/virtualMachines 4 times/);
  });
});

describe('ids are unique within their collection only', () => {
  it('the same id as a VM point and a SQL point is two points, the SQL workload included', async () => {
    const shared = simUuid(0x5a, 1);
    const appliance = await hostile((request, response) => {
      if (request.path === VMS) return (sendJson(response, 200, pageOf([vmRecord(1, { id: shared })])), true);
      if (request.path === SQL) {
        const sql = { id: shared, pointInTime: new Date(NOW - HOUR).toISOString(), databaseName: 'orders', sqlServerName: 'sql-1', backupDestination: 'AzureBlob', type: 'Full' };
        return (sendJson(response, 200, pageOf([sql])), true);
      }
      return false;
    });
    const { points, report } = await readAll(clientFor(appliance.url, v81));
    expect(points.map((point) => point.workload?.kind).sort()).toEqual(['sql', 'vm']);
    expect(report.duplicates).toBe(0);
  });
});

describe('Cosmos DB continuous points', () => {
  it('land under destination Continuous, beside real Unknown points', async () => {
    const cosmos = (id: number, extra: Record<string, unknown>) => ({
      id: simUuid(0xc0, id),
      accountName: 'cosmos-orders',
      pointInTime: new Date(NOW - HOUR).toISOString(),
      ...extra,
    });
    const appliance = await hostile((request, response) => {
      if (request.path.endsWith('/cosmosDb/continuous')) return (sendJson(response, 200, pageOf([cosmos(1, { type: 'Continuous' })])), true);
      if (request.path.endsWith('/cosmosDb/repository')) return (sendJson(response, 200, pageOf([cosmos(2, { type: 'Full' })])), true);
      return false;
    });
    const { points } = await readAll(clientFor(appliance.url, v81));
    expect(points.map((point) => point.destination).sort()).toEqual(['Continuous', 'Unknown']);
  });
});
