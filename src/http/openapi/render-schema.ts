/** A JSON Schema as the document holds it (OpenAPI 3.1 schemas are JSON Schema 2020-12). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** Text for HTML content or attributes. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/** Escaped text with `code` spans made <code>. */
export const prose = (s: string | undefined) => (s ? escapeHtml(s).replace(/`([^`]+)`/g, "<code>$1</code>") : "");

/** The anchor of a component schema, from its `$ref`. */
export const schemaAnchor = (ref: string) => `schema-${ref.split("/").at(-1)}`;

const range = (min: number | undefined, max: number | undefined, unit = "") =>
  min !== undefined && max !== undefined ? `${min}–${max}${unit}` : min !== undefined ? `≥ ${min}${unit}` : max !== undefined ? `≤ ${max}${unit}` : "";

/** One line: the type and its constraints, e.g. `integer 1–200, default 50`. */
export function schemaType(s: JsonSchema): string {
  if (s.$ref) {
    const name = s.$ref.split("/").at(-1)!;
    return `<a href="#${escapeHtml(schemaAnchor(s.$ref))}">${escapeHtml(name)}</a>`;
  }
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(schemaType).join(" or ");
  if (s.allOf) return s.allOf.map(schemaType).join(" and ");
  const parts: string[] = [];
  if (s.const !== undefined) parts.push(`<code>${escapeHtml(JSON.stringify(s.const))}</code>`);
  else if (s.enum) parts.push(s.enum.map((v) => `<code>${escapeHtml(String(v))}</code>`).join(" | "));
  else if (s.type === "array" && s.prefixItems) parts.push(`[${s.prefixItems.map(schemaType).join(", ")}]`);
  else if (s.type === "array") parts.push(`array of ${s.items ? schemaType(s.items) : "anything"}`);
  else if (s.format === "binary") parts.push("file");
  else parts.push(escapeHtml([s.type ?? "any"].flat().join(" | ")) + (s.format ? ` (${escapeHtml(s.format)})` : ""));
  const bounds = [range(s.minimum, s.maximum), range(s.minLength, s.maxLength, " chars"), range(s.minItems, s.maxItems, " items")].filter(Boolean);
  if (bounds.length) parts.push(bounds.join(", "));
  if (s.pattern) parts.push(`matching <code>${escapeHtml(s.pattern)}</code>`);
  if (s.default !== undefined) parts.push(`default <code>${escapeHtml(JSON.stringify(s.default))}</code>`);
  return parts.join(", ");
}

/** The object's properties as a table (nested objects and arrays of objects in place), else its type. */
export function renderSchema(s: JsonSchema, depth = 0): string {
  const object = s.properties ? s : s.type === "array" && s.items?.properties ? s.items : undefined;
  if (!object?.properties || depth > 4) return `<span class="type">${schemaType(s)}${s.description ? ` — ${prose(s.description)}` : ""}</span>`;
  const required = new Set(object.required ?? []);
  const rows = Object.entries(object.properties).map(([name, p]) => {
    const nested = p.properties || (p.type === "array" && p.items?.properties) ? renderSchema(p, depth + 1) : "";
    const type = p.properties ? escapeHtml([p.type ?? "object"].flat().join(" | ")) : p.type === "array" && p.items?.properties ? "array of objects" : schemaType(p);
    return `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ""}</td><td>${type}</td><td>${prose(p.description)}${nested}</td></tr>`;
  });
  const lead = object === s ? "" : `<p class="type">array of:</p>`;
  return `${lead}<table class="props"><tbody>${rows.join("")}</tbody></table>`;
}
