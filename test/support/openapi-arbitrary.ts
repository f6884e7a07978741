/**
 * OpenAPI 3.0 schema objects → fast-check arbitraries: random but schema-valid JSON, as a mock
 * server generated from the vendor's document would answer. Handles `$ref` (local), `allOf`
 * (objects merged), `oneOf`/`anyOf`, `nullable`, enums, the formats the Veeam document uses, and
 * required vs optional properties (optional ones are sometimes absent). Deep or recursive
 * schemas are cut off at a depth: past it, optional properties are left out and arrays are empty.
 */
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ArbitraryOptions {
  /** Longest array drawn (default 4). */
  readonly maxItems?: number;
  /** Nesting past which optional properties are absent and arrays empty (default 6). */
  readonly maxDepth?: number;
  /** Optional properties drawn as if required (e.g. a page's `results`, which real servers always send). */
  readonly alwaysPresent?: readonly string[];
}

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };

/** Text as an appliance (or a hostile admin) might spell it. */
const text = (minLength: number, maxLength: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('<!channel>', '*x*', '`', 'a\nb', '🎉').filter((s) => s.length >= minLength && s.length <= maxLength) },
  );

/** RFC 3339 date-times, years 0001–9999, in UTC or with an offset; mostly near the present. */
const dateTime = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true }) },
      { weight: 1, arbitrary: fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9999-12-30T23:59:59Z'), noInvalidDate: true }) },
    ), fc.constantFrom('Z', '+02:00', '-05:30', 'ms'))
  .map(([date, zone]) => {
    const iso = date.toISOString();
    if (zone === 'ms') return iso;
    const shifted = new Date(date.getTime() + (zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4))) * 60_000));
    return `${shifted.toISOString().slice(0, 19)}${zone}`;
  });

/** .NET TimeSpan "c" format: [-][d.]hh:mm:ss[.fffffff]. */
const timeSpan = fc
  .tuple(fc.boolean(), fc.option(fc.nat(10_675_199), { nil: undefined }), fc.nat(23), fc.nat(59), fc.nat(59), fc.option(fc.stringMatching(/^\d{1,7}$/), { nil: undefined }))
  .map(([negative, days, h, m, s, fraction]) => `${negative ? '-' : ''}${days === undefined ? '' : `${days}.`}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${fraction === undefined ? '' : `.${fraction}`}`);

export class OpenApiArbitraries {
  readonly #document: JsonObject;
  readonly #maxItems: number;
  readonly #maxDepth: number;
  readonly #alwaysPresent: ReadonlySet<string>;
  readonly #cache = new Map<string, fc.Arbitrary<unknown>>();

  constructor(document: JsonObject, options: ArbitraryOptions = {}) {
    this.#document = document;
    this.#maxItems = options.maxItems ?? 4;
    this.#maxDepth = options.maxDepth ?? 6;
    this.#alwaysPresent = new Set(options.alwaysPresent ?? []);
  }

  /** The schema of `#/components/schemas/NAME`. */
  named(name: string): fc.Arbitrary<unknown> {
    return this.of({ $ref: `#/components/schemas/${name}` });
  }

  of(schema: Json, depth = 0): fc.Arbitrary<unknown> {
    if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return fc.jsonValue({ maxDepth: 1 });
    if (!isObject(schema)) throw new Error(`not a schema object: ${JSON.stringify(schema)}`);
    const base = this.#nonNull(schema, depth);
    return schema['nullable'] === true ? fc.option(base, { nil: null, freq: 4 }) : base;
  }

  #resolve(ref: string): Json {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let node: Json = this.#document;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (!isObject(node) || !(key in node)) throw new Error(`unresolvable $ref ${ref}`);
      node = node[key]!;
    }
    return node;
  }

  #nonNull(schema: JsonObject, depth: number): fc.Arbitrary<unknown> {
    if (typeof schema['$ref'] === 'string') {
      const key = `${schema['$ref']}@${Math.min(depth, this.#maxDepth + 1)}`;
      let cached = this.#cache.get(key);
      if (!cached) {
        // Lazy, so recursive schemas terminate: deeper levels are built only when drawn.
        const ref = schema['$ref'];
        let built: fc.Arbitrary<unknown> | null = null;
        cached = fc.constant(null).chain(() => (built ??= this.of(this.#resolve(ref), depth + 1)));
        this.#cache.set(key, cached);
      }
      return cached;
    }
    if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as Json[]));
    for (const key of ['oneOf', 'anyOf'] as const) {
      const options = schema[key];
      if (Array.isArray(options)) return fc.oneof(...options.map((option) => this.of(option, depth + 1)));
    }
    if (Array.isArray(schema['allOf'])) {
      const parts = schema['allOf'].map((part) => this.of(part, depth + 1));
      const own = isObject(schema['properties']) ? this.#object({ ...schema, allOf: null }, depth) : fc.constant({});
      return fc.tuple(own, ...parts).map((values) => (values.every(isObject) ? Object.assign({}, ...values) : values.at(-1)));
    }
    const type = schema['type'];
    const format = typeof schema['format'] === 'string' ? schema['format'] : null;
    switch (type) {
      case 'boolean':
        return fc.boolean();
      case 'integer': {
        const bounds = format === 'int64' ? { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } : INT32;
        const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : bounds.min;
        const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : bounds.max;
        return fc.oneof(fc.integer({ min: Math.max(min, -10), max: Math.min(max, 1000) }), fc.integer({ min, max }));
      }
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true, min: typeof schema['minimum'] === 'number' ? schema['minimum'] : -1e12, max: typeof schema['maximum'] === 'number' ? schema['maximum'] : 1e12 });
      case 'string':
        return this.#string(schema, format);
      case 'array': {
        const maxItems = depth > this.#maxDepth ? 0 : Math.min(typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Infinity, this.#maxItems);
        const minItems = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
        return fc.array(this.of(schema['items'] ?? {}, depth + 1), { minLength: minItems, maxLength: Math.max(minItems, maxItems) });
      }
      case 'object':
      case undefined:
        return this.#object(schema, depth);
      default:
        throw new Error(`unsupported schema type ${JSON.stringify(type)}`);
    }
  }

  #string(schema: JsonObject, format: string | null): fc.Arbitrary<unknown> {
    const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
    const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : 40;
    switch (format) {
      case 'uuid':
        return fc.uuid();
      case 'date-time':
        return dateTime;
      case 'date':
        return dateTime.map((value) => value.slice(0, 10));
      case 'time-span':
        return timeSpan;
      case 'uri':
        return fc.webUrl();
      case 'int64':
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
      default:
        return text(minLength, Math.max(minLength, maxLength));
    }
  }

  #object(schema: JsonObject, depth: number): fc.Arbitrary<unknown> {
    const properties = isObject(schema['properties']) ? schema['properties'] : {};
    const required = new Set([...(Array.isArray(schema['required']) ? schema['required'].map(String) : []), ...Object.keys(properties).filter((name) => this.#alwaysPresent.has(name))]);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, property] of Object.entries(properties)) {
      if (!required.has(name) && depth > this.#maxDepth) continue;
      model[name] = this.of(property, depth + 1);
    }
    const record = fc.record(model, { requiredKeys: Object.keys(model).filter((name) => required.has(name)) });
    const extra = schema['additionalProperties'];
    if (isObject(extra) && Object.keys(properties).length === 0 && depth <= this.#maxDepth) {
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), this.of(extra, depth + 1), { maxKeys: 2 });
    }
    return record;
  }
}
