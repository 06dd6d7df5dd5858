/**
 * fast-check inputs generated from our zod schemas, through zod's own JSON Schema export
 * (zod-fast-check, the usual bridge, supports zod 3 only). `validInput` follows the schema;
 * `invalidInput` breaks a valid input in the ways clients and attackers do (a wrong type, an
 * unknown or prototype key, a missing field, hostile unicode, not an object at all) and keeps
 * only what the schema itself refuses, so the expected answer is always a 4xx.
 */
import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

/** UTF-16 code units, lone surrogates and RTL overrides included, beside ordinary text. */
const hostileChar = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  fc.constantFrom('\u202e', '\u200f', '\ud800', '\udfff', '\u0000', '\ufeff', '../', '%00', '${', '<script>'),
);
const hostileString = (maxLength = 40) => fc.string({ unit: hostileChar, maxLength });

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 60, Math.max(min, 60));
  const fits = (s: string) => s.length >= min && s.length <= (schema.maxLength ?? Infinity);
  if (schema.pattern) {
    const full = new RegExp(schema.pattern);
    // fast-check generates from a regex without lookarounds; the full pattern filters after.
    const generative = new RegExp(schema.pattern.replace(/\(\?[=!][^)]*\)/g, ''));
    return fc.stringMatching(generative).filter((s) => full.test(s) && fits(s));
  }
  if (schema.format === 'uri') return fc.webUrl().filter(fits);
  return fc.string({ minLength: min, maxLength: max }).filter(fits);
}

function fromJsonSchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return fc.oneof(...union.map(fromJsonSchema));
  switch (schema.type) {
    case 'object': {
      const properties = Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, fromJsonSchema(value)]),
      );
      return fc.record(properties, { requiredKeys: schema.required ?? [] });
    }
    case 'array':
      return fc.array(fromJsonSchema(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -(2 ** 31)),
        max: Math.min(
          schema.maximum ?? 2 ** 31,
          schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : Infinity,
          2 ** 31,
        ),
      });
    case 'number':
      return fc.double({ min: schema.minimum, max: schema.maximum, noNaN: true });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue();
  }
}

export function validInput(schema: z.ZodType): fc.Arbitrary<unknown> {
  return fromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.5),
  hostileString(),
  fc.string({ minLength: 501, maxLength: 3_000 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every field's path in nested objects and arrays, e.g. ['input', 'selectors', 0]. */
function fieldPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : isObject(value)
      ? Object.entries(value)
      : [];
  return children.flatMap(([key, child]) => [[...prefix, key], ...fieldPaths(child, [...prefix, key])]);
}

function withValueAt(input: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(input)) return input.map((item, i) => (i === head ? withValueAt(item, rest, value) : item));
  return {
    ...(input as Record<string, unknown>),
    [head]: withValueAt((input as Record<string, unknown>)[head], rest, value),
  };
}

export function invalidInput(schema: z.ZodType): fc.Arbitrary<unknown> {
  const valid = validInput(schema);
  return fc
    .oneof(
      // One field, at any depth, given a value of the wrong type, range or text.
      fc.tuple(valid, wrongValue, fc.nat()).map(([input, value, pick]) => {
        const paths = fieldPaths(input);
        return paths.length ? withValueAt(input, paths[pick % paths.length], value) : value;
      }),
      // A key the schema does not know, prototype keys among them (a computed key is an own property, as JSON.parse makes it).
      fc
        .tuple(
          valid,
          fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'x'.repeat(300)),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([input, key, value]) => (isObject(input) ? { ...input, [key]: value } : { [key]: value })),
      // A required field missing.
      fc.tuple(valid, fc.nat()).map(([input, pick]) => {
        if (!isObject(input)) return {};
        const keys = Object.keys(input);
        return Object.fromEntries(
          Object.entries(input).filter(([key]) => key !== keys[pick % Math.max(keys.length, 1)]),
        );
      }),
      // Not the shape at all.
      wrongValue,
    )
    .filter((input) => !schema.safeParse(input).success);
}
