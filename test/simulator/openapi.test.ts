/**
 * The simulator against Veeam's published OpenAPI document for API v8.1: every answer the bot
 * relies on must validate against the schema the document gives for that operation and status,
 * so the simulator cannot drift into inventing fields, enum values or envelopes.
 *
 * The document is not part of the project (users' clones do not have it): the suite reads it
 * from beside the project and is skipped when it is absent. Schemas are looked up from the
 * document's `paths` (operation → responses → status → content → schema), converted from
 * OpenAPI 3.0 to JSON Schema in memory, and checked with ajv.
 */
import { collectionsOf } from '../../src/veeam/api-versions.ts';
import { DEFINITIONS_ID, TIME_SPAN, toJsonSchema } from '../support/openapi-schema.ts';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { VeeamClient } from '../../src/veeam/client.ts';
import { demoDataset, pointsDataset, simUuid, type SimPoint, type SimSession } from '../../src/simulator/dataset.ts';
import {
  APPLIANCE_8_1,
  DEFAULT_SIM_USER,
  startSimulator,
  type SimRequest,
  type Simulator,
} from '../../src/simulator/server.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const documentPath = path.resolve(projectRoot, '../shared/veeam/vbazure-rest-v8.1.openapi.json');
const documentExists = existsSync(documentPath);

const NOW = Date.parse('2026-03-10T09:30:00.000Z');
const VERSION = 'v8.1' as const;

/** The collections the client reads for v8.1, relative to /api/v8.1/. */
const COLLECTIONS = collectionsOf(VERSION).map((collection) => collection.path);

// ---------------------------------------------------------------------------------------------
// The document, as plain JSON.

type Json = null | boolean | number | string | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function child(value: Json | undefined, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const next = value[key];
  return isObject(next) ? next : undefined;
}

/** Resolves a local `#/…` JSON pointer in the document. */
function resolvePointer(document: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node: Json = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) || !(key in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = node[key]!;
  }
  return node;
}

/** Follows a `$ref` (parameters and responses may be references too). */
function deref(document: JsonObject, value: Json | undefined): JsonObject | undefined {
  let node = value;
  for (let hops = 0; isObject(node) && typeof node['$ref'] === 'string'; hops++) {
    if (hops > 20) throw new Error('$ref cycle');
    node = resolvePointer(document, node['$ref']);
  }
  return isObject(node) ? node : undefined;
}

interface Operation {
  readonly template: string;
  readonly method: string;
  readonly operation: JsonObject;
}

/** The document's operation for a concrete request path: literal segments beat templated ones. */
function findOperation(document: JsonObject, method: string, concretePath: string): Operation | null {
  const paths = child(document, 'paths') ?? {};
  const segments = concretePath.split('/');
  let best: { operation: Operation; templated: number } | null = null;
  for (const [template, item] of Object.entries(paths)) {
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    let templated = 0;
    const matches = parts.every((part, index) => {
      if (/^\{[^}]+\}$/.test(part)) {
        templated++;
        return segments[index] !== '';
      }
      return part === segments[index];
    });
    const operation = child(item, method.toLowerCase());
    if (!matches || !operation) continue;
    if (!best || templated < best.templated) best = { operation: { template, method: method.toLowerCase(), operation }, templated };
  }
  return best?.operation ?? null;
}

function queryParameterNames(document: JsonObject, found: Operation): string[] {
  const item = child(child(document, 'paths'), found.template) ?? {};
  const all = [...(Array.isArray(item['parameters']) ? item['parameters'] : []), ...(Array.isArray(found.operation['parameters']) ? found.operation['parameters'] : [])];
  return all.flatMap((parameter) => {
    const resolved = deref(document, parameter);
    return resolved && resolved['in'] === 'query' && typeof resolved['name'] === 'string' ? [resolved['name']] : [];
  });
}

/** operation → responses → status → content → media type → schema; null when the status is not listed. */
function responseSchema(document: JsonObject, found: Operation, status: number, mediaType: string): Json | null {
  const response = deref(document, child(found.operation, 'responses')?.[String(status)]);
  if (!response) return null;
  const content = child(response, 'content');
  const media = content ? child(content, mediaType) : undefined;
  if (!media || !('schema' in media)) {
    throw new Error(`${found.method.toUpperCase()} ${found.template} ${status} has no ${mediaType} content (it lists ${Object.keys(content ?? {}).join(', ') || 'none'})`);
  }
  return media['schema']!;
}

/** ajv-formats is CommonJS: its `default` export is the plugin both to TypeScript and at run time. */
const addFormats = ajvFormats.default;

class DocumentValidator {
  readonly #ajv: Ajv;
  readonly #document: JsonObject;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(document: JsonObject) {
    this.#document = document;
    this.#ajv = new Ajv({ strict: true, allErrors: true, validateFormats: true });
    addFormats(this.#ajv);
    this.#ajv.addFormat('time-span', TIME_SPAN);
    const schemas = child(child(document, 'components'), 'schemas') ?? {};
    const definitions = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, toJsonSchema(schema)]));
    this.#ajv.addSchema({ $id: DEFINITIONS_ID, definitions });
  }

  operation(method: string, concretePath: string): Operation {
    const found = findOperation(this.#document, method, concretePath);
    if (!found) throw new Error(`the document has no operation ${method} ${concretePath}`);
    return found;
  }

  queryParameters(method: string, concretePath: string): string[] {
    return queryParameterNames(this.#document, this.operation(method, concretePath));
  }

  /** The schema for this answer: from the operation, or ProblemDetails for an error status it does not list. */
  schemaFor(method: string, concretePath: string, status: number, mediaType: string): Json {
    const found = this.operation(method, concretePath);
    const schema = responseSchema(this.#document, found, status, mediaType);
    if (schema !== null) return schema;
    if (status >= 400) return { $ref: '#/components/schemas/ProblemDetails' };
    throw new Error(`${method} ${found.template} does not list status ${status}`);
  }

  /** Every way the body breaks the schema, as sentences (empty when it conforms). */
  violations(schema: Json, body: unknown): string[] {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (!validate) {
      const converted = toJsonSchema(schema);
      if (!isObject(converted)) throw new Error('a response schema must be an object');
      validate = this.#ajv.compile(converted);
      this.#compiled.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Talking to the simulator.

interface Answer {
  readonly status: number;
  readonly mediaType: string;
  readonly headers: Headers;
  readonly body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return { status: response.status, mediaType, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function login(sim: Simulator, username = DEFAULT_SIM_USER.username, password = DEFAULT_SIM_USER.password): Promise<Answer> {
  return call(`${sim.url}/api/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'Password', username, password }).toString(),
  });
}

function accessTokenOf(answer: Answer): string {
  const token = (answer.body as { access_token?: unknown } | undefined)?.access_token;
  if (typeof token !== 'string') throw new Error(`no access token in ${JSON.stringify(answer.body)}`);
  return token;
}

/** Every page of a collection, walking Offset by what was received. */
async function allPages(sim: Simulator, token: string, collection: string, limit: number): Promise<Answer[]> {
  const pages: Answer[] = [];
  for (let offset = 0; pages.length < 1000; ) {
    const answer = await call(`${sim.url}/api/${VERSION}/${collection}?Offset=${offset}&Limit=${limit}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    pages.push(answer);
    const page = answer.body as { results?: unknown[]; totalCount?: number | null } | undefined;
    const got = page?.results?.length ?? 0;
    offset += got;
    if (answer.status !== 200 || got === 0 || typeof page?.totalCount !== 'number' || offset >= page.totalCount) break;
  }
  return pages;
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!documentExists)('the simulator against the v8.1 OpenAPI document', () => {
  let document: JsonObject;
  let validator: DocumentValidator;
  let sim: Simulator;
  let token: string;

  /** Checks status, media type and body against the document for this request. */
  function expectConforms(method: string, url: string, answer: Answer, status: number): void {
    const concretePath = new URL(url, 'http://x').pathname;
    expect(answer.status, `${method} ${concretePath}`).toBe(status);
    const expectedMedia = status >= 400 ? 'application/problem+json' : 'application/json';
    expect(answer.mediaType, `${method} ${concretePath} content-type`).toBe(expectedMedia);
    const schema = validator.schemaFor(method, concretePath, status, answer.mediaType);
    expect(validator.violations(schema, answer.body), `${method} ${concretePath} → ${status}`).toEqual([]);
  }

  beforeAll(async () => {
    const parsed = JSON.parse(readFileSync(documentPath, 'utf8')) as Json;
    if (!isObject(parsed) || typeof parsed['openapi'] !== 'string' || !parsed['openapi'].startsWith('3.0')) {
      throw new Error(`${documentPath} is not an OpenAPI 3.0 document`);
    }
    document = parsed;
    validator = new DocumentValidator(document);
    sim = await startSimulator({
      dataset: demoDataset({ now: NOW }),
      versions: APPLIANCE_8_1,
      now: () => NOW,
      users: [DEFAULT_SIM_USER, { username: 'mfa-user', password: 'mfa-password', mfa: true }],
    });
    token = accessTokenOf(await login(sim));
  });

  afterAll(async () => {
    await sim?.close();
  });

  describe('the validator itself', () => {
    // A validator that passes everything would make every test below vacuous.
    const point = () => ({
      id: simUuid(0x0a000000, 1),
      type: 'Full',
      pointInTime: '2026-03-10T02:00:00.000Z',
      backupSizeBytes: 1024,
      backupDestination: 'Snapshot',
      accessTier: null,
      state: 'Ok',
    });
    const schema = (): Json => ({ $ref: '#/components/schemas/VirtualMachineRestorePoint' });

    it('accepts a valid record, including null for a nullable enum', () => {
      expect(validator.violations(schema(), point())).toEqual([]);
    });

    it.each([
      ['an invented field', { ...point(), inventedField: 1 }],
      ['an id that is not a uuid', { ...point(), id: 'not-a-uuid' }],
      ['a destination outside the enum', { ...point(), backupDestination: 'Tape' }],
      ['a date-time without an offset', { ...point(), pointInTime: '2026-03-10 02:00' }],
      ['a string size', { ...point(), backupSizeBytes: '1024' }],
      ['a fractional size', { ...point(), backupSizeBytes: 1.5 }],
      ['null for a field that is not nullable', { ...point(), vmName: null }],
      ['a missing required field', { id: simUuid(0x0a000000, 1) }],
    ])('refuses %s', (_label, record) => {
      expect(validator.violations(schema(), record)).not.toEqual([]);
    });

    it('refuses an int32 out of range and a bad time span', () => {
      expect(validator.violations({ $ref: '#/components/schemas/PageOfVirtualMachineRestorePoint' }, { offset: 2 ** 31, limit: 1, results: [] })).not.toEqual([]);
      const timeSpan: Json = { type: 'string', format: 'time-span' };
      for (const bad of ['3 minutes', '00:60:00', '24:00:00', '1.02:03:04.12345678']) expect(validator.violations(timeSpan, bad), bad).not.toEqual([]);
      for (const good of ['00:03:12.1234567', '1.02:03:04', '-00:00:01']) expect(validator.violations(timeSpan, good), good).toEqual([]);
    });
  });

  describe('authentication', () => {
    const tokenUrl = () => `${sim.url}/api/oauth2/token`;

    it('POST /api/oauth2/token (password grant) answers a Login', async () => {
      expectConforms('POST', tokenUrl(), await login(sim), 200);
    });

    it('the refresh grant answers a Login too', async () => {
      const first = (await login(sim)).body as { refresh_token: string };
      const refreshed = await call(tokenUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'Refresh_token', refresh_token: first.refresh_token }).toString(),
      });
      expectConforms('POST', tokenUrl(), refreshed, 200);
    });

    it('an MFA challenge is a Login without tokens', async () => {
      const answer = await login(sim, 'mfa-user', 'mfa-password');
      expectConforms('POST', tokenUrl(), answer, 200);
      expect(answer.body).toMatchObject({ access_token: null, mfa_enabled: true });
    });

    it('a wrong password answers the 401 problem of the token operation', async () => {
      expectConforms('POST', tokenUrl(), await login(sim, DEFAULT_SIM_USER.username, 'wrong'), 401);
    });

    it('a spent refresh token answers the 400 problem of the token operation', async () => {
      const answer = await call(tokenUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'Refresh_token', refresh_token: 'sim-refresh-unknown' }).toString(),
      });
      expectConforms('POST', tokenUrl(), answer, 400);
    });

    it('DELETE /api/oauth2/token is a listed operation answering 204', async () => {
      const own = accessTokenOf(await login(sim));
      const answer = await call(tokenUrl(), { method: 'DELETE', headers: { authorization: `Bearer ${own}` } });
      expect(answer.status).toBe(204);
      expect(Object.keys(child(validator.operation('DELETE', '/api/oauth2/token').operation, 'responses') ?? {})).toContain('204');
    });
  });

  describe('successful answers', () => {
    it('GET /api/v8.1/system/about', async () => {
      const url = `${sim.url}/api/${VERSION}/system/about`;
      expectConforms('GET', url, await call(url, { headers: { authorization: `Bearer ${token}` } }), 200);
    });

    it.each(COLLECTIONS)('every page of %s', async (collection) => {
      const pages = await allPages(sim, token, collection, 40);
      for (const page of pages) expectConforms('GET', `${sim.url}/api/${VERSION}/${collection}`, page, 200);
      const records = pages.reduce((sum, page) => sum + ((page.body as { results: unknown[] }).results.length), 0);
      // The demo appliance has VM, SQL and file-share points, and no Cosmos DB accounts.
      if (!collection.startsWith('restorePoints/cosmosDb')) expect(records).toBeGreaterThan(0);
      if (collection === 'restorePoints/virtualMachines') expect(pages.length).toBeGreaterThan(1);
    });

    it('pages with totalCount null and with a capped Limit', async () => {
      const collection = 'restorePoints/virtualMachines';
      const url = `${sim.url}/api/${VERSION}/${collection}`;
      sim.faults.nullTotalCount = true;
      sim.faults.limitCap = 7;
      try {
        const answer = await call(`${url}?Offset=3&Limit=50`, { headers: { authorization: `Bearer ${token}` } });
        expectConforms('GET', url, answer, 200);
        expect(answer.body).toMatchObject({ offset: 3, limit: 7, totalCount: null });
      } finally {
        sim.faults.nullTotalCount = false;
        sim.faults.limitCap = null;
      }
    });

    it('GET /api/v8.1/jobSessions/{sessionId} for the session of a VM point', async () => {
      const first = await call(`${sim.url}/api/${VERSION}/restorePoints/virtualMachines?Offset=0&Limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const sessionId = (first.body as { results: Array<{ jobSessionId: string }> }).results[0]!.jobSessionId;
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const url = `${sim.url}/api/${VERSION}/jobSessions/${encodeURIComponent(sessionId)}`;
      expect(validator.operation('GET', new URL(url).pathname).template).toBe('/api/v8.1/jobSessions/{sessionId}');
      expectConforms('GET', url, await call(url, { headers: { authorization: `Bearer ${token}` } }), 200);
    });
  });

  describe('the inventory and the failed sessions (issue 13)', () => {
    const get = (url: string) => call(url, { headers: { authorization: `Bearer ${token}` } });

    it('GET /api/v8.1/virtualMachines lists the inventory, namesakes and unprotected VMs included', async () => {
      const url = `${sim.url}/api/${VERSION}/virtualMachines?Offset=0&Limit=100`;
      const answer = await get(url);
      expectConforms('GET', url, answer, 200);
      const names = (answer.body as { results: Array<{ name: string }> }).results.map((vm) => vm.name);
      expect(names).toContain('vm-new-07');
      expect(names.filter((name) => name === 'vm-web-01')).toHaveLength(2);
    });

    it('GET /api/v8.1/protectedItem/virtualMachines lists the VMs with backups and when each was last backed up', async () => {
      const url = `${sim.url}/api/${VERSION}/protectedItem/virtualMachines?Offset=0&Limit=100`;
      const answer = await get(url);
      expectConforms('GET', url, answer, 200);
      const vms = (answer.body as { results: Array<{ name: string; lastBackup: string }> }).results;
      expect(vms.length).toBeGreaterThan(0);
      expect(vms.map((vm) => vm.name)).not.toContain('vm-new-07');
      for (const vm of vms) expect(Date.parse(vm.lastBackup)).toBeLessThanOrEqual(NOW);
    });

    it('GET /api/v8.1/jobSessions filtered by Status and FromUtc, and each session\'s protectedItems and log', async () => {
      const from = new Date(NOW - 24 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const url = `${sim.url}/api/${VERSION}/jobSessions?Status=Error&Status=Warning&FromUtc=${from}&Offset=0&Limit=50`;
      const answer = await get(url);
      expectConforms('GET', url, answer, 200);
      const sessions = (answer.body as { results: Array<{ id: string; status: string }> }).results;
      expect(sessions.map((session) => session.status).sort()).toEqual(['Error', 'Warning']);
      for (const session of sessions) {
        const items = `${sim.url}/api/${VERSION}/jobSessions/${session.id}/protectedItems?Offset=0&Limit=100`;
        expect(validator.operation('GET', new URL(items).pathname).template).toBe('/api/v8.1/jobSessions/{backupJobSessionId}/protectedItems');
        const itemsAnswer = await get(items);
        expectConforms('GET', items, itemsAnswer, 200);
        expect((itemsAnswer.body as { results: unknown[] }).results.length).toBeGreaterThan(0);
        const log = `${sim.url}/api/${VERSION}/jobSessions/${session.id}/log`;
        const logAnswer = await get(log);
        expectConforms('GET', log, logAnswer, 200);
        expect((logAnswer.body as { log: Array<{ status: string }> }).log.some((line) => line.status === session.status)).toBe(true);
      }
    });

    it('GET /api/v8.1/restorePoints/virtualMachines?VirtualMachineId= serves one VM\'s points', async () => {
      const vms = (await get(`${sim.url}/api/${VERSION}/virtualMachines?Offset=0&Limit=100`)).body as { results: Array<{ id: string; name: string }> };
      const dev = vms.results.filter((vm) => vm.name === 'vm-web-01')[1]!;
      const url = `${sim.url}/api/${VERSION}/restorePoints/virtualMachines?VirtualMachineId=${dev.id}&Offset=0&Limit=100`;
      const answer = await get(url);
      expectConforms('GET', url, answer, 200);
      const points = (answer.body as { results: Array<{ vmName: string; destination: string }> }).results;
      expect(points.length).toBeGreaterThan(0);
      expect(points.every((point) => point.vmName === 'vm-web-01')).toBe(true);
    });
  });

  describe('records of every kind and job sessions of every demo type', () => {
    // The demo appliance has no Cosmos DB points; this appliance has one point of each kind.
    let other: Simulator;
    let otherToken: string;
    const HOUR = 3_600_000;
    const session = (index: number, type: string, status: string): SimSession => ({
      id: simUuid(0x5e550000, index),
      type,
      localizedType: type,
      status,
      policyName: `policy ${index}`,
      protectedInstances: index,
      start: NOW - 30 * HOUR,
      stop: NOW - 29 * HOUR + index * 1234,
    });
    const sessions = [
      session(1, 'PolicyBackup', 'Success'),
      session(2, 'SqlPolicyBackup', 'Warning'),
      session(3, 'FileSharePolicySnapshot', 'Error'),
      session(4, 'CosmosDbConfiguration', 'Running'),
      session(5, 'ManualSnapshot', 'Canceled'),
    ];
    const point = (index: number, kind: SimPoint['kind'], destination: string, extra: Partial<SimPoint> = {}): SimPoint => ({
      id: simUuid(0x0f000000, index),
      kind,
      workload: `${kind}-${index}`,
      pointInTime: NOW - index * HOUR,
      sizeBytes: index * 1024 ** 3,
      destination,
      type: 'Full',
      corrupted: false,
      jobSessionId: sessions[(index - 1) % sessions.length]!.id,
      region: 'westeurope',
      ...extra,
    });
    const points = [
      point(1, 'vm', 'AzureBlob', { corrupted: true, type: 'Incremental' }),
      point(2, 'vm', 'Snapshot'),
      point(3, 'vm', 'ManualSnapshot'),
      point(4, 'sql', 'AzureBlob', { server: 'sql-weu-01' }),
      point(5, 'sql', 'ManualBackup'),
      point(6, 'fileShare', 'Snapshot'),
      point(7, 'fileShare', 'ManualSnapshot'),
      point(8, 'cosmosDb', 'AzureBlob', { type: 'Continuous' }),
    ];

    beforeAll(async () => {
      other = await startSimulator({ dataset: pointsDataset(points, sessions), versions: APPLIANCE_8_1, now: () => NOW });
      otherToken = accessTokenOf(await login(other));
    });
    afterAll(async () => {
      await other?.close();
    });

    it.each(COLLECTIONS)('%s', async (collection) => {
      for (const page of await allPages(other, otherToken, collection, 100)) {
        expectConforms('GET', `${other.url}/api/${VERSION}/${collection}`, page, 200);
      }
    });

    it('the collections hold every point', async () => {
      let records = 0;
      for (const collection of COLLECTIONS) {
        for (const page of await allPages(other, otherToken, collection, 100)) records += (page.body as { results: unknown[] }).results.length;
      }
      expect(records).toBe(points.length);
    });

    it.each(sessions.map((entry) => [entry.type, entry.id]))('the %s session', async (_type, id) => {
      const url = `${other.url}/api/${VERSION}/jobSessions/${id}`;
      expectConforms('GET', url, await call(url, { headers: { authorization: `Bearer ${otherToken}` } }), 200);
    });

    it('every session type the demo appliance uses is in the document', async () => {
      const demo = demoDataset({ now: NOW });
      const vm = demo.collections.vm;
      if (!vm || vm.form !== 'points') throw new Error('the demo has VM points');
      const ids = new Set<string>();
      for (const collection of Object.values(demo.collections)) {
        if (collection?.form !== 'points') continue;
        for (let index = 0; index < collection.count; index++) ids.add(collection.at(index).jobSessionId);
      }
      const types = new Set([...ids].map((id) => demo.jobSession(id)?.type));
      const known = child(child(child(document, 'components'), 'schemas'), 'JobSessionType')?.['enum'];
      expect(Array.isArray(known)).toBe(true);
      for (const type of types) expect(known).toContain(type);
    });
  });

  describe('error answers', () => {
    it.each([`system/about`, 'restorePoints/virtualMachines', 'restorePoints/sql', `jobSessions/${simUuid(1, 1)}`])(
      '401 without a token: GET %s',
      async (rest) => {
        const url = `${sim.url}/api/${VERSION}/${rest}`;
        expectConforms('GET', url, await call(url), 401);
      },
    );

    it('401 with a revoked token', async () => {
      const own = await startSimulator({ dataset: demoDataset({ now: NOW }), versions: APPLIANCE_8_1, now: () => NOW });
      try {
        const ownToken = accessTokenOf(await login(own));
        own.revokeAccessTokens();
        const url = `${own.url}/api/${VERSION}/restorePoints/virtualMachines`;
        expectConforms('GET', url, await call(url, { headers: { authorization: `Bearer ${ownToken}` } }), 401);
      } finally {
        await own.close();
      }
    });

    it('404 for an unknown job session', async () => {
      const url = `${sim.url}/api/${VERSION}/jobSessions/${simUuid(0xdead, 404)}`;
      expectConforms('GET', url, await call(url, { headers: { authorization: `Bearer ${token}` } }), 404);
    });

    it.each([
      // Not listed by the operation: the generic ProblemDetails applies.
      ['restorePoints/virtualMachines', 503, false],
      ['system/about', 503, false],
      ['restorePoints/sql', 429, false],
      ['restorePoints/fileShares', 500, false],
      // Listed: the operation's own problem schema applies.
      ['restorePoints/virtualMachines', 403, true],
      ['restorePoints/cosmosDb/repository', 400, true],
      ['restorePoints/sql', 401, true],
    ] as const)('a simulated failure on %s (%d)', async (rest, status, listed) => {
      sim.failNext(1, { status, retryAfterSeconds: 2, path: new RegExp(`/${rest}$`) });
      const url = `${sim.url}/api/${VERSION}/${rest}`;
      const answer = await call(url, { headers: { authorization: `Bearer ${token}` } });
      const responses = Object.keys(child(validator.operation('GET', new URL(url).pathname).operation, 'responses') ?? {});
      expect(responses.includes(String(status))).toBe(listed);
      expectConforms('GET', url, answer, status);
      expect(answer.headers.get('retry-after')).toBe('2');
    });
  });

  describe('what the client sends', () => {
    it('every request of a full read is a documented operation with documented query parameters', async () => {
      const requests: SimRequest[] = [];
      sim.faults.intercept = (request) => {
        requests.push(request);
        return undefined;
      };
      const client = new VeeamClient({
        appliance: {
          name: 'openapi',
          url: sim.url,
          username: DEFAULT_SIM_USER.username,
          password: DEFAULT_SIM_USER.password,
          apiVersion: 'auto',
          caPem: null,
          tlsInsecure: false,
        },
        logger: silentLogger(),
        now: () => NOW,
        pageSize: 25,
        parallelism: 3,
      });
      try {
        let sessionId: string | null = null;
        const report = await client.readRestorePoints((point) => {
          sessionId ??= point.jobSessionId;
        });
        expect(report.apiVersion).toBe(VERSION);
        expect(sessionId).not.toBeNull();
        expect(await client.getJobSession(sessionId!)).not.toBeNull();
        await client.identify();
        // Issue 13: the inventory (with the per-VM reads for namesakes) and the failed sessions.
        expect((await client.readInventory())?.vms.length).toBeGreaterThan(0);
        expect((await client.readFailures(NOW - 24 * 3_600_000))?.length).toBeGreaterThan(0);
      } finally {
        await client.close();
        sim.faults.intercept = null;
      }

      // The per-VM reads for namesakes (issue 13) are checked against the document below, with every request.
      const pageRequests = requests.filter((request) => request.path.includes('/restorePoints/') && !request.query.has('VirtualMachineId'));
      expect(pageRequests.length).toBeGreaterThan(COLLECTIONS.length);
      const sentKeys = new Set(pageRequests.flatMap((request) => [...request.query.keys()]));
      expect([...sentKeys].sort()).toEqual(['Limit', 'Offset']);
      for (const collection of COLLECTIONS) {
        const documented = validator.queryParameters('GET', `/api/${VERSION}/${collection}`);
        expect(documented, collection).toEqual(expect.arrayContaining(['Offset', 'Limit']));
      }

      for (const request of requests) {
        const documented = validator.queryParameters(request.method, request.path);
        for (const key of request.query.keys()) expect(documented, `${request.method} ${request.path}`).toContain(key);
      }
      const operations = new Set(requests.map((request) => `${request.method} ${validator.operation(request.method, request.path).template}`));
      expect(operations).toEqual(
        new Set([
          'POST /api/oauth2/token',
          'DELETE /api/oauth2/token',
          'GET /api/v8.1/system/about',
          'GET /api/v8.1/jobSessions/{sessionId}',
          // Issue 13: the inventory, the failed sessions, what they processed and their logs.
          'GET /api/v8.1/virtualMachines',
          'GET /api/v8.1/protectedItem/virtualMachines',
          'GET /api/v8.1/jobSessions',
          'GET /api/v8.1/jobSessions/{backupJobSessionId}/protectedItems',
          'GET /api/v8.1/jobSessions/{sessionId}/log',
          ...COLLECTIONS.map((collection) => `GET /api/v8.1/${collection}`),
        ]),
      );
    });
  });
});
