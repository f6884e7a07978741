/**
 * OpenAPI 3.0 schema objects → JSON Schema (draft-07), for validating answers against Veeam's
 * document with ajv (test/simulator/openapi.test.ts, and the random answers of
 * test/simulator/openapi-random.test.ts). `$ref`s point into one schema of all the document's
 * `components.schemas`, registered under DEFINITIONS_ID.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);


export const DEFINITIONS_ID = 'https://restorepoints.invalid/veeam-openapi.json';

/**
 * The keywords of the 3.0 subset the document uses. Anything else makes the conversion fail,
 * so a new keyword in a future document is noticed instead of silently ignored.
 */
const KEPT = new Set(['type', 'enum', 'format', 'properties', 'required', 'items', 'additionalProperties', 'allOf', 'description', 'default', 'readOnly', 'maxLength', 'minLength', 'minItems', 'maxItems', 'minimum', 'maximum', '$ref']);
/** Annotations only: no effect on validation, unknown to draft-07 (ajv's strict mode would refuse them). */
const DROPPED = new Set(['example', 'deprecated', 'nullable']);

export function toJsonSchema(schema: Json): Json {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) throw new Error(`not a schema object: ${JSON.stringify(schema)}`);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-') || DROPPED.has(key)) continue;
    if (!KEPT.has(key)) throw new Error(`unsupported OpenAPI schema keyword ${key}`);
    if (key === '$ref') {
      const ref = String(value);
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      if (!match) throw new Error(`unsupported $ref ${ref}`);
      out[key] = `${DEFINITIONS_ID}#/definitions/${match[1]}`;
    } else if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, toJsonSchema(property)]));
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      out[key] = toJsonSchema(value);
    } else if (key === 'allOf' && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema);
    } else {
      out[key] = value;
    }
  }
  // OpenAPI 3.0.3: `nullable: true` adds "null" to the type given beside it (and has no effect
  // without one). With an enum, null joins the enum too: the document's generator marks a
  // nullable enum this way (as openapi-schema-to-json-schema reads it).
  if (schema['nullable'] === true && typeof schema['type'] === 'string') {
    out['type'] = [schema['type'], 'null'];
    if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
  }
  return out;
}

/** .NET TimeSpan "c" format: [-][d.]hh:mm:ss[.fffffff]. */
export const TIME_SPAN = /^-?(?:\d+\.)?(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,7})?$/;
