import { z } from "zod";

/**
 * A structural check of an OpenAPI 3.1 document (no validator package is installed): the
 * objects of the specification with their fixed fields (anything else must be an `x-`
 * extension), then what a schema cannot say: JSON Schema 2020-12 keywords only (no 3.0
 * `nullable`), `required` naming real properties, path templates matching path parameters,
 * unique operation ids, `$ref`s and security schemes that resolve.
 */

/** An object with these fixed fields; other keys only as `x-` extensions. */
function specObject<S extends z.ZodRawShape>(shape: S) {
  return z
    .object(shape)
    .catchall(z.unknown())
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!(key in shape) && !key.startsWith("x-")) ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a field of this object` });
      }
    });
}

const url = z.string().min(1);
const reference = specObject({ $ref: z.string().startsWith("#/"), summary: z.string().optional(), description: z.string().optional() });
/** Schemas are JSON Schema: checked by walkSchema below, here only "an object". */
const schema = z.union([z.record(z.string(), z.unknown()), z.boolean()]);
const example = specObject({ summary: z.string().optional(), description: z.string().optional(), value: z.unknown().optional(), externalValue: z.string().optional() });
const examples = z.record(z.string(), z.union([reference, example])).optional();

const header = specObject({
  description: z.string().optional(),
  required: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  style: z.literal("simple").optional(),
  explode: z.boolean().optional(),
  schema: schema.optional(),
  example: z.unknown().optional(),
  examples,
});
const encoding = specObject({
  contentType: z.string().optional(),
  headers: z.record(z.string(), z.union([reference, header])).optional(),
  style: z.string().optional(),
  explode: z.boolean().optional(),
  allowReserved: z.boolean().optional(),
});
const mediaType = specObject({ schema: schema.optional(), example: z.unknown().optional(), examples, encoding: z.record(z.string(), encoding).optional() });
const content = z.record(z.string().regex(/^[\w.+*-]+\/[\w.+*-]+$/, "a media type"), mediaType);

const parameter = specObject({
  name: z.string().min(1),
  in: z.enum(["query", "header", "path", "cookie"]),
  description: z.string().optional(),
  required: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  allowEmptyValue: z.boolean().optional(),
  style: z.string().optional(),
  explode: z.boolean().optional(),
  allowReserved: z.boolean().optional(),
  schema: schema.optional(),
  content: content.optional(),
  example: z.unknown().optional(),
  examples,
}).refine((p) => p.in !== "path" || p.required === true, { message: "a path parameter must be required" })
  .refine((p) => (p.schema === undefined) !== (p.content === undefined), { message: "a parameter has a schema or a content, not both" });

const requestBody = specObject({ description: z.string().optional(), content, required: z.boolean().optional() });
const link = z.record(z.string(), z.unknown());
const response = specObject({
  description: z.string().min(1, "every response needs a description"),
  headers: z.record(z.string(), z.union([reference, header])).optional(),
  content: content.optional(),
  links: z.record(z.string(), link).optional(),
});
const responses = z
  .record(z.string().regex(/^([1-5](\d\d|XX)|default)$/, "a status code, NXX or default"), z.union([reference, response]))
  .refine((r) => Object.keys(r).length > 0, { message: "an operation answers something" });
const securityRequirement = z.record(z.string(), z.array(z.string()));
const server = specObject({ url, description: z.string().optional(), variables: z.record(z.string(), z.unknown()).optional() });
const externalDocs = specObject({ url, description: z.string().optional() });

const operation = specObject({
  tags: z.array(z.string()).optional(),
  summary: z.string().optional(),
  description: z.string().optional(),
  externalDocs: externalDocs.optional(),
  operationId: z.string().min(1).optional(),
  parameters: z.array(z.union([reference, parameter])).optional(),
  requestBody: z.union([reference, requestBody]).optional(),
  // Optional in 3.1; required of ours (every route answers something).
  responses,
  callbacks: z.record(z.string(), z.unknown()).optional(),
  deprecated: z.boolean().optional(),
  security: z.array(securityRequirement).optional(),
  servers: z.array(server).optional(),
});
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const pathItem = specObject({
  $ref: z.string().optional(),
  summary: z.string().optional(),
  description: z.string().optional(),
  ...Object.fromEntries(HTTP_METHODS.map((m) => [m, operation.optional()])),
  servers: z.array(server).optional(),
  parameters: z.array(z.union([reference, parameter])).optional(),
});

const securityScheme = z.discriminatedUnion("type", [
  specObject({ type: z.literal("apiKey"), description: z.string().optional(), name: z.string(), in: z.enum(["query", "header", "cookie"]) }),
  specObject({ type: z.literal("http"), description: z.string().optional(), scheme: z.string(), bearerFormat: z.string().optional() }),
  specObject({ type: z.literal("mutualTLS"), description: z.string().optional() }),
  specObject({ type: z.literal("oauth2"), description: z.string().optional(), flows: z.record(z.string(), z.unknown()) }),
  specObject({ type: z.literal("openIdConnect"), description: z.string().optional(), openIdConnectUrl: url }),
]);

const components = specObject({
  schemas: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), schema).optional(),
  responses: z.record(z.string(), z.union([reference, response])).optional(),
  parameters: z.record(z.string(), z.union([reference, parameter])).optional(),
  examples,
  requestBodies: z.record(z.string(), z.union([reference, requestBody])).optional(),
  headers: z.record(z.string(), z.union([reference, header])).optional(),
  securitySchemes: z.record(z.string(), z.union([reference, securityScheme])).optional(),
  links: z.record(z.string(), z.unknown()).optional(),
  callbacks: z.record(z.string(), z.unknown()).optional(),
  pathItems: z.record(z.string(), pathItem).optional(),
});

export const openApi31Document = specObject({
  openapi: z.string().regex(/^3\.1\.\d+$/, "an OpenAPI 3.1.x version"),
  info: specObject({
    title: z.string().min(1),
    summary: z.string().optional(),
    description: z.string().optional(),
    termsOfService: z.string().optional(),
    contact: z.record(z.string(), z.unknown()).optional(),
    license: specObject({ name: z.string(), identifier: z.string().optional(), url: z.string().optional() }).optional(),
    version: z.string().min(1),
  }),
  jsonSchemaDialect: z.string().optional(),
  servers: z.array(server).optional(),
  paths: z.record(z.string().startsWith("/", "paths start with /"), pathItem),
  webhooks: z.record(z.string(), z.union([reference, pathItem])).optional(),
  components: components.optional(),
  security: z.array(securityRequirement).optional(),
  tags: z.array(specObject({ name: z.string().min(1), description: z.string().optional(), externalDocs: externalDocs.optional() })).optional(),
  externalDocs: externalDocs.optional(),
});

/** JSON Schema 2020-12 keywords (core, applicator, validation, meta-data, format, content) and OpenAPI's own. */
const SCHEMA_KEYWORDS = new Set([
  "$id", "$schema", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$defs", "$comment", "$vocabulary",
  "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items", "contains",
  "properties", "patternProperties", "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
  "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
  "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
  "dependentRequired", "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples", "format",
  "contentEncoding", "contentMediaType", "contentSchema", "discriminator", "xml", "externalDocs", "example",
]);
const TYPES = new Set(["null", "boolean", "object", "array", "number", "string", "integer"]);
const SUBSCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"] as const;
const SUBSCHEMA = ["not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema"] as const;
const SUBSCHEMA_MAPS = ["properties", "patternProperties", "$defs", "dependentSchemas"] as const;

/** Problems of one JSON Schema (and its subschemas), as `where: what`. */
export function schemaProblems(s: unknown, where: string, resolves: (ref: string) => boolean): string[] {
  if (typeof s === "boolean") return [];
  if (typeof s !== "object" || s === null || Array.isArray(s)) return [`${where}: a schema is an object or a boolean`];
  const o = s as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(o)) if (!SCHEMA_KEYWORDS.has(key) && !key.startsWith("x-")) problems.push(`${where}: "${key}" is not a JSON Schema 2020-12 keyword${key === "nullable" ? " (3.0's nullable: use type [..., \"null\"])" : ""}`);
  if (o.type !== undefined && ![o.type].flat().every((t) => typeof t === "string" && TYPES.has(t))) problems.push(`${where}: type ${JSON.stringify(o.type)}`);
  if (typeof o.$ref === "string" && !resolves(o.$ref)) problems.push(`${where}: $ref ${o.$ref} does not resolve`);
  for (const k of ["exclusiveMinimum", "exclusiveMaximum", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"]) {
    if (o[k] !== undefined && typeof o[k] !== "number") problems.push(`${where}: ${k} must be a number in 3.1`);
  }
  if (o.enum !== undefined && (!Array.isArray(o.enum) || o.enum.length === 0)) problems.push(`${where}: enum must be a non-empty array`);
  if (o.required !== undefined) {
    const props = (o.properties ?? {}) as Record<string, unknown>;
    if (!Array.isArray(o.required) || o.required.some((r) => typeof r !== "string")) problems.push(`${where}: required must list names`);
    else for (const r of o.required as string[]) if (!(r in props) && o.additionalProperties === undefined) problems.push(`${where}: required "${r}" is not a property`);
  }
  for (const k of SUBSCHEMA_LISTS) if (Array.isArray(o[k])) (o[k] as unknown[]).forEach((x, i) => problems.push(...schemaProblems(x, `${where}.${k}[${i}]`, resolves)));
  for (const k of SUBSCHEMA) if (o[k] !== undefined) problems.push(...schemaProblems(o[k], `${where}.${k}`, resolves));
  for (const k of SUBSCHEMA_MAPS) {
    if (o[k] === undefined) continue;
    for (const [name, x] of Object.entries(o[k] as Record<string, unknown>)) problems.push(...schemaProblems(x, `${where}.${k}.${name}`, resolves));
  }
  return problems;
}

type Json = Record<string, unknown>;

/** Follows a local JSON pointer (`#/components/schemas/Design`). */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof at !== "object" || at === null || !(key in at)) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

/** Every problem of the document: its structure, its schemas, and the cross-references. */
export function openApiProblems(doc: unknown): string[] {
  const parsed = openApi31Document.safeParse(doc);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const d = parsed.data;
  const problems: string[] = [];
  const resolves = (ref: string) => resolvePointer(doc, ref) !== undefined;
  const schemes = new Set(Object.keys(d.components?.securitySchemes ?? {}));
  const tags = new Set((d.tags ?? []).map((t) => t.name));
  const checkSecurity = (reqs: Array<Record<string, string[]>> | undefined, where: string) => {
    for (const req of reqs ?? []) for (const name of Object.keys(req)) if (!schemes.has(name)) problems.push(`${where}: security scheme "${name}" is not in components.securitySchemes`);
  };
  checkSecurity(d.security, "security");
  if (tags.size !== (d.tags ?? []).length) problems.push("tags: a tag is declared twice");
  for (const [name, s] of Object.entries(d.components?.schemas ?? {})) problems.push(...schemaProblems(s, `components.schemas.${name}`, resolves));

  const operationIds = new Map<string, string>();
  const templates = new Map<string, string>();
  for (const [path, item] of Object.entries(d.paths)) {
    const template = path.replace(/\{[^}]+\}/g, "{}");
    if (templates.has(template)) problems.push(`paths: ${path} and ${templates.get(template)} are the same template`);
    templates.set(template, path);
    const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const method of HTTP_METHODS) {
      const op = (item as Json)[method] as z.infer<typeof operation> | undefined;
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (op.operationId) {
        if (operationIds.has(op.operationId)) problems.push(`${where}: operationId "${op.operationId}" is also ${operationIds.get(op.operationId)}'s`);
        operationIds.set(op.operationId, where);
      }
      for (const t of op.tags ?? []) if (!tags.has(t)) problems.push(`${where}: tag "${t}" is not declared in tags`);
      checkSecurity(op.security, where);
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => ("$ref" in p && typeof p.$ref === "string" ? (resolvePointer(doc, p.$ref) as typeof p) : p)) as Array<z.infer<typeof parameter>>;
      const seen = new Set<string>();
      for (const p of params) {
        if (!p) {
          problems.push(`${where}: a parameter $ref does not resolve`);
          continue;
        }
        if (seen.has(`${p.in}:${p.name}`)) problems.push(`${where}: parameter ${p.in} "${p.name}" is listed twice`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === "path" && !inPath.includes(p.name)) problems.push(`${where}: path parameter "${p.name}" is not in the path`);
        if (p.schema !== undefined) problems.push(...schemaProblems(p.schema, `${where} parameter ${p.name}`, resolves));
      }
      for (const name of inPath) if (!params.some((p) => p?.in === "path" && p.name === name)) problems.push(`${where}: {${name}} is not declared as a path parameter`);
      const bodies = [
        ...Object.entries(("content" in (op.requestBody ?? {}) ? (op.requestBody as { content: Json }).content : {}) as Record<string, { schema?: unknown }>).map(([t, m]) => [`request ${t}`, m] as const),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(("content" in r ? (r.content ?? {}) : {}) as Record<string, { schema?: unknown }>).map(([t, m]) => [`${status} ${t}`, m] as const),
        ),
      ];
      for (const [what, m] of bodies) if (m.schema !== undefined) problems.push(...schemaProblems(m.schema, `${where} ${what}`, resolves));
    }
  }
  // Any other $ref anywhere in the document.
  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === "$ref" && typeof x === "string" && !resolves(x)) problems.push(`${where}: $ref ${x} does not resolve`);
        else walk(x, `${where}.${k}`);
      }
    }
  };
  walk(doc, "#");
  return [...new Set(problems)];
}
