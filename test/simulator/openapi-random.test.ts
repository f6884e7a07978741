/**
 * The client and everything after it against a mock appliance that answers with random but
 * schema-valid data drawn from Veeam's own v8.1 OpenAPI document (as a mock server generated from
 * it would): the read ends after a bounded number of requests, the summary is valid JSON with
 * finite ages, and every message rendered from it (overview, digest, stale, failed, unprotected,
 * a name) is postable.
 *
 * The document is not part of the project: the suite reads it from beside the project and is
 * skipped when it is absent (as test/simulator/openapi.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplianceReader, summariseReading } from '../../src/appliances/reader.ts';
import { silentLogger } from '../../src/log.ts';
import { answerQuery } from '../../src/restore-points/answer.ts';
import { parseQuery } from '../../src/restore-points/query.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { toSummaryJson, type Summary } from '../../src/restore-points/summary.ts';
import { renderAnswer } from '../../src/slack/blocks/answer.ts';
import { renderDigest } from '../../src/slack/blocks/digest.ts';
import type { SlackMessage } from '../../src/slack/blocks/message.ts';
import { renderOverview } from '../../src/slack/blocks/overview.ts';
import { renderAnswerText } from '../../src/terminal/answer-text.ts';
import { renderDigestText } from '../../src/terminal/digest-text.ts';
import { renderSummaryTable } from '../../src/terminal/summary-table.ts';
import { renderSession } from '../../src/slack/blocks/session.ts';
import { collectionsOf } from '../../src/veeam/api-versions.ts';
import { VeeamError } from '../../src/veeam/errors.ts';
import { pageOf, sendJson, startHostileAppliance, type HostileAppliance } from '../support/hostile-appliance.ts';
import { OpenApiArbitraries, type JsonObject } from '../support/openapi-arbitrary.ts';
import { DEFINITIONS_ID, TIME_SPAN, toJsonSchema } from '../support/openapi-schema.ts';
import { slackLimitViolations } from '../support/slack-limits.ts';
import { clientFor, closeAll } from '../support/veeam.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const documentPath = path.resolve(projectRoot, '../shared/veeam/vbazure-rest-v8.1.openapi.json');
const documentExists = existsSync(documentPath);

const NOW = Date.parse('2026-11-26T08:00:00Z');
/** Far more than a read of five collections, an inventory and 50 sessions needs with short pages. */
const MAX_REQUESTS = 600;
const RUNS = Number(process.env.OPENAPI_RANDOM_RUNS ?? 25);

/** The concrete path → the document's path template whose GET 200 schema answers it. */
const ROUTES: Array<{ pattern: RegExp; template: string }> = [
  { pattern: /^\/api\/v8\.1\/system\/about$/, template: '/api/v8.1/system/about' },
  ...collectionsOf('v8.1').map((collection) => ({ pattern: new RegExp(`^/api/v8\\.1/${collection.path}$`), template: `/api/v8.1/${collection.path}` })),
  { pattern: /^\/api\/v8\.1\/virtualMachines$/, template: '/api/v8.1/virtualMachines' },
  { pattern: /^\/api\/v8\.1\/protectedItem\/virtualMachines$/, template: '/api/v8.1/protectedItem/virtualMachines' },
  { pattern: /^\/api\/v8\.1\/jobSessions$/, template: '/api/v8.1/jobSessions' },
  { pattern: /^\/api\/v8\.1\/jobSessions\/[^/]+$/, template: '/api/v8.1/jobSessions/{sessionId}' },
  { pattern: /^\/api\/v8\.1\/jobSessions\/[^/]+\/log$/, template: '/api/v8.1/jobSessions/{sessionId}/log' },
  { pattern: /^\/api\/v8\.1\/jobSessions\/[^/]+\/protectedItems$/, template: '/api/v8.1/jobSessions/{backupJobSessionId}/protectedItems' },
];

function responseSchema(document: JsonObject, template: string): JsonObject {
  const paths = document['paths'] as JsonObject;
  const operation = (paths[template] as JsonObject | undefined)?.['get'] as JsonObject | undefined;
  const schema = ((((operation?.['responses'] as JsonObject | undefined)?.['200'] as JsonObject | undefined)?.['content'] as JsonObject | undefined)?.['application/json'] as JsonObject | undefined)?.['schema'];
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`the document has no GET 200 application/json schema for ${template}`);
  return schema;
}

function expectPostable(message: SlackMessage, what: string): void {
  const violations = slackLimitViolations(message);
  if (violations.length > 0) throw new Error(`${what} is not postable: ${violations.join('; ')}`);
}

describe.skipIf(!documentExists)('a mock appliance answering random schema-valid v8.1 data', () => {
  let appliance: HostileAppliance;
  let arbitraries: Map<string, fc.Arbitrary<unknown>>;
  let document: JsonObject;

  beforeAll(async () => {
    document = JSON.parse(readFileSync(documentPath, 'utf8')) as JsonObject;
    // Mostly pages that carry their results, as real appliances send them; now and then the
    // schema's own freedom to leave them out (the client calls that malformed: a read error).
    const strict = new OpenApiArbitraries(document, { alwaysPresent: ['results'] });
    const loose = new OpenApiArbitraries(document);
    arbitraries = new Map(
      ROUTES.map((route) => {
        const schema = responseSchema(document, route.template);
        return [route.template, fc.oneof({ weight: 19, arbitrary: strict.of(schema) }, { weight: 1, arbitrary: loose.of(schema) })];
      }),
    );
    appliance = await startHostileAppliance();
  });
  afterAll(async () => {
    await closeAll();
    await appliance?.close();
  });

  it('the converter draws only answers the document allows (checked with ajv)', () => {
    const ajv = new Ajv({ strict: true, allErrors: true, validateFormats: true });
    ajvFormats.default(ajv);
    ajv.addFormat('time-span', TIME_SPAN);
    const schemas = (document['components'] as JsonObject)['schemas'] as JsonObject;
    ajv.addSchema({ $id: DEFINITIONS_ID, definitions: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, toJsonSchema(schema)])) });
    for (const route of ROUTES) {
      const validate = ajv.compile(toJsonSchema(responseSchema(document, route.template)) as object);
      for (const value of fc.sample(arbitraries.get(route.template)!, { numRuns: 40, seed: 42 })) {
        if (!validate(value)) throw new Error(`${route.template}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 500)}`);
      }
    }
  });

  it('reads it to the end in a bounded number of requests; the summary and every message survive', async () => {
    let readWithPoints = 0;
    let agesSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (draw) => {
        let served = 0;
        const before = appliance.requests.length;
        appliance.handle = (request, response) => {
          if (request.path === '/api/oauth2/token') return false;
          const route = ROUTES.find((candidate) => candidate.pattern.test(request.path));
          if (!route || request.method !== 'GET') return false;
          served++;
          // A runaway read is answered with empty pages so it ends; the bound below then fails it.
          const body = served > MAX_REQUESTS && route.template !== '/api/v8.1/system/about' ? pageOf([]) : draw(() => arbitraries.get(route.template)!);
          sendJson(response, 200, body);
          return true;
        };
        const client = clientFor(appliance.url, { apiVersion: 'auto' });
        const reader = new ApplianceReader({
          name: 'random',
          url: appliance.url,
          source: client,
          policy: DEFAULT_STALE_POLICY,
          cacheTtlMs: 0,
          logger: silentLogger(),
          now: () => NOW,
        });
        const reading = await reader.read();
        const requests = appliance.requests.length - before;
        if (reading.error === null && reading.tally.points > 0) readWithPoints++;
        expect(requests, 'requests one read made').toBeLessThanOrEqual(MAX_REQUESTS);

        // A session opened from a button: read on its own, rendered with its log's reason.
        const sessionId = reading.failures?.[0]?.id ?? '00000000-0000-4000-8000-000000000001';
        const session = await client.getJobSession(sessionId).catch((error: unknown) => {
          if (error instanceof VeeamError) return null;
          throw error;
        });
        if (session) expectPostable(renderSession(session, appliance.url), 'session');

        const applianceSummary = summariseReading(reading, NOW);
        const summary: Summary = { generatedAt: new Date(NOW).toISOString(), appliances: [applianceSummary] };
        const text = JSON.stringify(toSummaryJson(summary));
        expect(text).not.toMatch(/\bNaN\b|\bInfinity\b/);
        const ages: unknown[] = [];
        JSON.parse(text, (key, value: unknown) => {
          if (key === 'ageSeconds') ages.push(value);
          return value;
        });
        agesSeen += ages.length;
        for (const age of ages) expect(age === null || Number.isFinite(age), `ageSeconds ${String(age)}`).toBe(true);

        const times = { now: NOW, asOf: null };
        expectPostable(renderOverview(summary, { title: 'Restore points', staleOnly: false, times }), 'overview');
        expectPostable(renderDigest(summary, NOW, 'Europe/Berlin'), 'digest');
        renderDigestText(summary, 'Europe/Berlin');
        renderSummaryTable(summary, 'Europe/Berlin');
        const name = applianceSummary.workloads[0]?.name ?? 'vm-01';
        for (const words of ['', 'stale', 'failed', 'unprotected', name]) {
          const answer = answerQuery(parseQuery(words), summary, times);
          expectPostable(renderAnswer(answer), `answer to ${JSON.stringify(words)}`);
          expect(typeof renderAnswerText(answer, 'Europe/Berlin')).toBe('string');
        }
      }),
      { numRuns: RUNS },
    );
    // The property is not vacuous: most reads got through to restore points.
    expect(readWithPoints).toBeGreaterThan(RUNS / 2);
    expect(agesSeen).toBeGreaterThan(0);
  }, 120_000);
});
