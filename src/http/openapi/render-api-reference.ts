import type { ApiDocument } from "./build-api-document.ts";
import { escapeHtml, prose, renderSchema, schemaAnchor, type JsonSchema } from "./render-schema.ts";

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}
interface MediaTypes {
  [type: string]: { schema?: JsonSchema };
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: MediaTypes };
  responses?: Record<string, { description?: string; content?: MediaTypes }>;
}

const METHODS = ["get", "put", "post", "patch", "delete"] as const;

/** The page's only style; its hash goes in the page's Content-Security-Policy. */
export const REFERENCE_STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,main{max-width:980px;margin:0 auto;padding:0 16px}
header{padding-top:24px}h1 small{font-weight:400;color:#666;font-size:60%}
nav{max-width:980px;margin:0 auto;padding:0 16px}nav ul{columns:2 260px;padding-left:18px}
section>h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:40px}
article{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:4px 16px 12px;margin:16px 0}
h3{font-size:17px;word-break:break-all}h4{margin:14px 0 6px;font-size:14px;text-transform:uppercase;color:#555}
code{font:13px/1.4 ui-monospace,monospace;background:#f1f1f3;padding:1px 4px;border-radius:4px}
.method{display:inline-block;min-width:58px;text-align:center;color:#fff;border-radius:4px;font-size:13px;padding:2px 6px;margin-right:6px}
.get{background:#2f7d32}.post{background:#1565c0}.put{background:#8e5b00}.patch{background:#6a1b9a}.delete{background:#c62828}
table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}
td,th{border-top:1px solid #eee;padding:5px 8px;vertical-align:top;text-align:left}
.props .props{margin-top:6px;font-size:14px}.req{color:#c62828;font-size:12px}.type{margin:4px 0}
.auth{color:#666;font-size:13px}.codes code{display:inline-block;margin:2px 2px 0 0}
td{overflow-wrap:anywhere}td:first-child{white-space:nowrap;overflow-wrap:normal}.media{margin:6px 0}
@media (max-width:600px){.props tr{display:block;border-top:1px solid #eee;padding:4px 0}.props td{display:inline;border:0;padding:0 4px}.props td:last-child{display:block;padding:2px 4px 0 14px}}
`;

/** The reference as one server-rendered page, generated from the OpenAPI document: no scripts, nothing fetched. */
export function renderApiReference(doc: ApiDocument): string {
  const ops = operations(doc);
  const tags = (doc.tags ?? []).map((t) => ({ ...t, ops: ops.filter((o) => o.op.tags?.[0] === t.name) })).filter((t) => t.ops.length > 0);
  const nav = tags
    .map((t) => `<li><a href="#tag-${slug(t.name)}">${escapeHtml(t.name)}</a> (${t.ops.map((o) => `<a href="#op-${escapeHtml(o.op.operationId ?? "")}">${escapeHtml(o.op.summary ?? o.path)}</a>`).join(", ")})</li>`)
    .join("");
  const sections = tags
    .map((t) => `<section><h2 id="tag-${slug(t.name)}">${escapeHtml(t.name)}</h2><p>${prose(t.description)}</p>${t.ops.map((o) => renderOperation(doc, o)).join("")}</section>`)
    .join("");
  const schemas = Object.entries((doc.components?.schemas ?? {}) as Record<string, JsonSchema>)
    .map(([name, s]) => `<article><h3 id="${escapeHtml(schemaAnchor(name))}">${escapeHtml(name)}</h3><p>${prose(s.description)}</p>${renderSchema(s)}</article>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} reference</title><style>${REFERENCE_STYLE}</style></head>
<body><header><h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1><p>${prose(doc.info.description)}</p>
<p>The same as a machine-readable OpenAPI 3.1 document: <a href="/api/openapi.json"><code>/api/openapi.json</code></a>.</p></header>
<nav><h2>Routes</h2><ul>${nav}</ul></nav>
<main>${sections}<section><h2 id="schemas">Schemas</h2>${schemas}</section></main></body></html>`;
}

function operations(doc: ApiDocument): Array<{ method: string; path: string; op: Operation }> {
  const out: Array<{ method: string; path: string; op: Operation }> = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Partial<Record<string, Operation>>>)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) out.push({ method, path, op });
    }
  }
  return out;
}

function renderOperation(doc: ApiDocument, { method, path, op }: { method: string; path: string; op: Operation }): string {
  const schemes = (doc.components?.securitySchemes ?? {}) as Record<string, { description?: string }>;
  const needs = (op.security ?? doc.security ?? []).flatMap((req) => Object.keys(req as object));
  const auth = needs.length === 0 ? "Public: no token." : `Needs <code>Authorization: Bearer …</code>: ${needs.map((n) => prose(schemes[n]?.description ?? n)).join(" or ")}`;
  const params = op.parameters?.length
    ? `<h4>Parameters</h4><table><tbody>${op.parameters
        .map((p) => `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ""}</td><td>${escapeHtml(p.in)}</td><td>${p.schema ? renderSchema(p.schema) : ""}${prose(p.description)}</td></tr>`)
        .join("")}</tbody></table>`
    : "";
  const body = op.requestBody?.content
    ? `<h4>Request body</h4>${Object.entries(op.requestBody.content)
        .map(([type, m]) => mediaType(type, m.schema))
        .join("")}`
    : "";
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<tr><td><strong>${escapeHtml(status)}</strong></td><td>${renderResponse(r)}</td></tr>`)
    .join("");
  return `<article id="op-${escapeHtml(op.operationId ?? "")}"><h3><span class="method ${method}">${method.toUpperCase()}</span><code>${escapeHtml(path)}</code></h3>
<p><strong>${prose(op.summary)}</strong></p><p>${prose(op.description)}</p><p class="auth">${auth}</p>${params}${body}<h4>Responses</h4><table><tbody>${responses}</tbody></table></article>`;
}

/** Error answers show their codes (the shape is the Error schema); others their body. */
function renderResponse(r: { description?: string; content?: MediaTypes }): string {
  const json = r.content?.["application/json"]?.schema;
  const codes = json?.properties?.error?.properties?.code?.enum;
  if (codes) {
    const meaning = (r.description ?? "").replace(/ Codes: .*$/, "");
    return `${prose(meaning)} <a href="#schema-Error">Error</a>, <span class="codes">code ${codes.map((c) => `<code>${escapeHtml(String(c))}</code>`).join(" ")}</span>`;
  }
  const bodies = Object.entries(r.content ?? {})
    .map(([type, m]) => mediaType(type, m.schema))
    .join("");
  return `${prose(r.description)}${bodies}`;
}

/** A body: its media type, then its properties, or on the same line its type (a named schema, a file). */
function mediaType(type: string, schema: JsonSchema | undefined): string {
  const head = `<code>${escapeHtml(type)}</code>`;
  if (!schema) return `<p class="media">${head}</p>`;
  const table = schema.properties || (schema.type === "array" && schema.items?.properties);
  return table ? `<p class="media">${head}</p>${renderSchema(schema)}` : `<div class="media">${head} ${renderSchema(schema)}</div>`;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
