import { beforeAll, describe, expect, test } from "bun:test";
import { apiDocument } from "../../src/http/api-reference.routes.ts";
import { errorCodesInSource } from "../support/error-codes-in-source.ts";
import { HTTP_METHODS, openApiProblems } from "../support/openapi-31-shape.ts";
import { makeTestApp, type TestApp } from "../support/test-app.ts";

type Json = Record<string, any>;

/** `METHOD /path/{param}` of every operation in the document. */
function documentedRoutes(doc: Json): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Json)) for (const m of HTTP_METHODS) if (item[m]) out.add(`${m.toUpperCase()} ${path}`);
  return out;
}

/** `METHOD /path/{param}` of every route the app serves (middleware excluded), from its route table. */
function servedRoutes(app: TestApp["app"]): Set<string> {
  return new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`));
}

/** Every `error.code` enum of every error response: where → codes. */
function documentedErrorCodes(doc: Json): Array<{ where: string; codes: string[] }> {
  const out: Array<{ where: string; codes: string[] }> = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const m of HTTP_METHODS) {
      for (const [status, r] of Object.entries((item[m]?.responses ?? {}) as Json)) {
        const codes = r.content?.["application/json"]?.schema?.properties?.error?.properties?.code?.enum as string[] | undefined;
        if (codes) out.push({ where: `${m.toUpperCase()} ${path} ${status}`, codes });
      }
    }
  }
  return out;
}

describe("the API reference", () => {
  let t: TestApp;
  const doc = apiDocument() as Json;
  beforeAll(async () => {
    t = await makeTestApp();
  });

  test("every route the app serves is in the document, and the document has no route the app does not serve", () => {
    const served = servedRoutes(t.app);
    const documented = documentedRoutes(doc);
    const missing = [...served].filter((r) => !documented.has(r));
    const stale = [...documented].filter((r) => !served.has(r));
    const advice = (r: string) =>
      `${r} is served but not in the API document: export its request schemas (query, params, body) from its routes module and register it with registerOperation() in src/http/openapi/paths/<area>.openapi.ts (a new area: add its register function to AREAS in src/http/openapi/build-api-document.ts), with its success responses and the error codes it answers.`;
    expect(missing.map(advice)).toEqual([]);
    expect(stale.map((r) => `${r} is in the API document but the app does not serve it: remove or fix its registerOperation() in src/http/openapi/paths/.`)).toEqual([]);
    expect(served.size).toBeGreaterThan(20);
  });

  test("the document is a valid OpenAPI 3.1 document", () => {
    expect(openApiProblems(doc)).toEqual([]);
    // The checker itself finds what it should.
    const broken = structuredClone(doc);
    broken.paths["/api/designs/{id}"].get.parameters = [];
    broken.components.schemas.Design.properties.id.nullable = true;
    broken.paths["/api/jobs/{id}"].get.responses["200"].content["application/json"].schema = { $ref: "#/components/schemas/Nope" };
    broken.paths["/api/templates"].get.operationId = "listDesigns";
    const problems = openApiProblems(broken);
    expect(problems).toContain("GET /api/designs/{id}: {id} is not declared as a path parameter");
    expect(problems.some((p) => p.includes("nullable"))).toBe(true);
    expect(problems.some((p) => p.includes("#/components/schemas/Nope does not resolve"))).toBe(true);
    expect(problems.some((p) => p.includes('operationId "listDesigns"'))).toBe(true);
    expect(openApiProblems({ ...doc, openapi: "3.0.3" })).toEqual(["openapi: an OpenAPI 3.1.x version"]);
    const noDescription = structuredClone(doc);
    noDescription.paths["/api/jobs"].get.responses["200"].description = "";
    expect(openApiProblems(noDescription)).toContain("paths./api/jobs.get.responses.200.description: every response needs a description");
  });

  test("every documented error code is one the code can produce, and every route documents its errors", () => {
    const produced = errorCodesInSource();
    const listed = documentedErrorCodes(doc);
    const unknown = listed.flatMap(({ where, codes }) => codes.filter((c) => !produced.has(c)).map((c) => `${where}: "${c}" is documented but no AppError in src/ has this code`));
    expect(unknown).toEqual([]);
    // Routes behind the token say so; every route documents 500.
    for (const route of documentedRoutes(doc)) {
      const [method, path] = route.split(" ") as [string, string];
      const op = doc.paths[path][method.toLowerCase()];
      expect(Object.keys(op.responses), route).toContain("500");
      if (op.security?.length !== 0) expect(op.responses["401"]?.content["application/json"].schema.properties.error.properties.code.enum, route).toContain("unauthorized");
    }
  });

  test("the routes enforce the limits the document states (the same schemas validate)", async () => {
    const probes: Array<{ path: string; param: string; max: number; codes: string[] }> = [];
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      const op = item.get;
      if (!op || path.includes("{") || op.security?.length === 0) continue;
      for (const p of (op.parameters ?? []) as Json[]) {
        if (p.in === "query" && typeof p.schema?.maximum === "number") probes.push({ path, param: p.name, max: p.schema.maximum, codes: op.responses["400"].content["application/json"].schema.properties.error.properties.code.enum });
      }
    }
    expect(probes.map((p) => `${p.path}?${p.param}`)).toEqual(expect.arrayContaining(["/api/designs?limit", "/api/jobs?limit", "/api/shop/etsy/listings?limit"]));
    for (const p of probes) {
      const over = await t.request(`${p.path}?${p.param}=${p.max + 1}`);
      const body = (await over.json()) as { error: { code: string } };
      expect({ probe: `${p.path}?${p.param}=${p.max + 1}`, status: over.status, documented: p.codes.includes(body.error.code) }).toEqual({ probe: `${p.path}?${p.param}=${p.max + 1}`, status: 400, documented: true });
      const atMax = await t.request(`${p.path}?${p.param}=${p.max}`);
      expect(atMax.status === 400 ? ((await atMax.json()) as { error: { code: string } }).error.code : "not refused").not.toBe("invalid_query");
    }
  });

  test("each route, sent a request it must refuse (an unknown id, an empty JSON body or form), answers a status and code it documents", async () => {
    const undocumented: string[] = [];
    for (const route of documentedRoutes(doc)) {
      const [method, path] = route.split(" ") as [string, string];
      const op = doc.paths[path][method.toLowerCase()];
      const url = path.replace(/\{[^}]+\}/g, crypto.randomUUID());
      const emptyForm = () => ({ body: new FormData() });
      const bodies: RequestInit[] = method === "GET" || method === "DELETE" ? [{}] : [{ body: "{}", headers: { "content-type": "application/json" } }, emptyForm()];
      for (const body of bodies) {
        const res = await t.request(url, { method, ...body, redirect: "manual" });
        const documented = op.responses[String(res.status)];
        const text = res.headers.get("content-type")?.includes("json") ? await res.text() : (await res.body?.cancel(), "");
        if (!documented) {
          undocumented.push(`${route}: answered ${res.status}, which it does not document ${text.slice(0, 120)}`);
          continue;
        }
        if (res.status < 400) continue;
        const code = (JSON.parse(text) as { error: { code: string } }).error.code;
        const codes = documented.content["application/json"].schema.properties.error.properties.code.enum as string[];
        if (!codes.includes(code)) undocumented.push(`${route}: answered ${res.status} ${code}; documented for ${res.status}: ${codes.join(", ")}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  test("GET /api/openapi.json serves the document without a token", async () => {
    const res = await t.app.request("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/json");
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  test("GET /api/docs renders every route and schema, runs no script and loads nothing from elsewhere", async () => {
    const res = await t.app.request("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(res.headers.get("content-security-policy")).toStartWith("default-src 'none'; style-src 'sha256-");
    const html = await res.text();
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const m of HTTP_METHODS) if (item[m]) expect(html, `${m} ${path}`).toContain(`id="op-${item[m].operationId}"`);
    }
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|@import|url\(/i);
    // Every in-page link lands on an anchor of the page.
    const ids = new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets.filter((id) => !ids.has(id))).toEqual([]);
  });

  test("the /api routes still need a token", async () => {
    expect((await t.app.request("/api/designs")).status).toBe(401);
    expect((await t.app.request("/api/jobs")).status).toBe(401);
  });
});
