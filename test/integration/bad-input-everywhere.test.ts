import { beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { waitForJob } from "../support/jobs-api.ts";
import { badFixtures, fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

/**
 * Every file of test/fixtures/bad/ in every file field of every route that takes files. The
 * routes come from the app's own API document (multipart bodies with binary properties), so a
 * file route added later is covered without editing this file — or, when the document cannot
 * say how to build a valid request for it, this test fails and asks for a line in COMPANIONS.
 */

type Json = Record<string, any>;
type NamedBytes = readonly [string, Uint8Array];

/** A file route as the document describes it. */
interface FileRoute {
  route: string;
  method: string;
  path: string;
  op: Json;
  /** Its binary fields, and whether each takes several files. */
  fileFields: Array<{ name: string; many: boolean }>;
  properties: Record<string, Json>;
  required: string[];
}

/** A valid request but for the field under test: text fields, and good files for the other file fields. */
interface Companions {
  /** The address to send to, when the route's has parameters (an id the entry made). */
  path?: string;
  fields: Record<string, string>;
  files: Record<string, NamedBytes[]>;
  /** The name a file sent in `field` must have to be read as the one the fields expect (a manifest names its files). */
  nameFor?: Record<string, string>;
}

const canvasManifest = JSON.parse(new TextDecoder().decode(fixture("templates/canvas-wood-occluded/template.json"))) as Json;
const canvasFiles = {
  background: [["background.jpg", fixture("templates/canvas-wood-occluded/background.jpg")]] as NamedBytes[],
  masks: [["mask-p1.png", fixture("templates/canvas-wood-occluded/mask-p1.png")]] as NamedBytes[],
};
let templateIds = 0;
/** A draft of the canvas template with an id no request has used, naming a sample file. */
const draft = () => JSON.stringify({ ...canvasManifest, id: `bad-input-${++templateIds}`, name: "Bad input probe", sample: "sample.jpg" });

/**
 * Routes whose valid requests the document cannot describe (a manifest whose files must match,
 * a template id that exists: an entry may make what it needs with the test app and answer its
 * `path`). A file route in neither the document's reach nor this table fails the first test.
 */
const COMPANIONS: Record<string, (t: TestApp) => Companions | Promise<Companions>> = {
  "POST /api/templates": () => ({
    fields: { manifest: draft() },
    files: { ...canvasFiles, sample: [["sample.jpg", fixture("artwork/storm-1920.jpg")]] },
    nameFor: { background: "background.jpg", masks: "mask-p1.png", sample: "sample.jpg" },
  }),
  "POST /api/templates/preview": () => ({
    fields: { manifest: draft() },
    files: canvasFiles,
    nameFor: { background: "background.jpg", masks: "mask-p1.png" },
  }),
  "POST /api/mockups": () => ({ fields: { templateIds: "poster-straight" }, files: {} }),
  // A replace needs a template to replace: make one, then send its manifest again with each file.
  "PUT /api/templates/{id}": async (t) => {
    // Made on purpose, so not named like the refused ones the last test looks for.
    const manifest = JSON.stringify({ ...JSON.parse(draft()), id: `replace-target-${templateIds}` });
    const made = new FormData();
    made.set("manifest", manifest);
    for (const [field, list] of Object.entries({ ...canvasFiles, sample: [["sample.jpg", fixture("artwork/storm-1920.jpg")]] as NamedBytes[] })) {
      for (const [name, bytes] of list) made.append(field, new File([bytes], name));
    }
    const res = await t.request("/api/templates", { method: "POST", body: made });
    if (res.status !== 201) throw new Error(`making the template to replace: ${res.status} ${await res.text()}`);
    return {
      path: `/api/templates/${JSON.parse(manifest).id}`,
      fields: { manifest },
      files: canvasFiles,
      nameFor: { background: "background.jpg", masks: "mask-p1.png", sample: "sample.jpg" },
    };
  },
};

/** Every operation with a multipart body that has binary properties. */
function fileRoutes(doc: Json): FileRoute[] {
  const resolve = (s: Json | undefined): Json => (s?.$ref ? resolve(doc.components.schemas[String(s.$ref).split("/").pop()!]) : (s ?? {}));
  const isBinary = (s: Json) => s.format === "binary" || (s.type === "array" && resolve(s.items).format === "binary");
  const out: FileRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const schema = resolve(op?.requestBody?.content?.["multipart/form-data"]?.schema);
      const properties = Object.fromEntries(Object.entries((schema.properties ?? {}) as Json).map(([k, v]) => [k, resolve(v)]));
      const fileFields = Object.entries(properties).filter(([, s]) => isBinary(s)).map(([name, s]) => ({ name, many: s.type === "array" }));
      if (fileFields.length) out.push({ route: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op, fileFields, properties, required: schema.required ?? [] });
    }
  }
  return out;
}

/**
 * Companions from the document alone: no path parameters, every required text field has a
 * default or an enum, and no other file field is required. Undefined when the document does not
 * say enough.
 */
function companionsFromDocument(r: FileRoute, field: string): Companions | undefined {
  if (r.path.includes("{")) return undefined;
  const fields: Record<string, string> = {};
  for (const name of r.required) {
    if (name === field) continue;
    const s = r.properties[name]!;
    if (r.fileFields.some((f) => f.name === name)) return undefined;
    const value = s.default ?? s.enum?.[0];
    if (value === undefined) return undefined;
    fields[name] = String(value);
  }
  return { fields, files: {} };
}

function buildable(r: FileRoute, field: string): boolean {
  return r.route in COMPANIONS || companionsFromDocument(r, field) !== undefined;
}

async function companionsFor(t: TestApp, r: FileRoute, field: string): Promise<Companions> {
  const fromTable = COMPANIONS[r.route];
  return fromTable ? fromTable(t) : companionsFromDocument(r, field)!;
}

/** The codes the route documents for a status. */
function documentedCodes(op: Json, status: number): string[] {
  return op.responses?.[String(status)]?.content?.["application/json"]?.schema?.properties?.error?.properties?.code?.enum ?? [];
}

/** Routes answering per item: their 200 answer has a `rejected` list. */
function answersPerItem(doc: Json, op: Json): boolean {
  let s = op.responses?.["200"]?.content?.["application/json"]?.schema as Json | undefined;
  if (s?.$ref) s = doc.components.schemas[String(s.$ref).split("/").pop()!];
  return Boolean(s?.properties?.rejected);
}

/** What no error message may contain: file system paths, addresses, SQL, stack frames. */
function leaks(text: string, dataDir: string): string[] {
  const found: string[] = [];
  if (text.includes(dataDir)) found.push("the data directory");
  const patterns: Array<[string, RegExp]> = [
    ["a file system path", /(^|[\s"'(=])\/(tmp|work|share|home|var|usr|root|proc|etc)\b/],
    ["an IPv4 address", /\b\d{1,3}(\.\d{1,3}){3}\b/],
    ["a host and port", /\blocalhost:\d+|127\.0\.0\.1/],
    ["SQL", /\b(select\s.+\sfrom|insert into|update\s+\w+\s+set|delete from|relation "|violates|syntax error at)\b/i],
    ["a stack frame", /\n\s+at\s|\.ts:\d+/],
    ["driver words", /\b(PostgresError|postgres(ql)?:\/\/|ssh2|ENOENT|EACCES)\b/],
  ];
  for (const [what, re] of patterns) if (re.test(text)) found.push(what);
  return found;
}

function formOf(c: Companions, field: string, file: NamedBytes, extra: NamedBytes[] = []): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(c.fields)) form.append(k, v);
  for (const [f, list] of Object.entries(c.files)) if (f !== field) for (const [name, bytes] of list) form.append(f, new File([bytes], name));
  form.append(field, new File([file[1]], c.nameFor?.[field] ?? file[0]));
  for (const [name, bytes] of extra) form.append(field, new File([bytes], name));
  return form;
}

/** Small distinct images, so the good files of a batch are never each other's duplicates. */
async function goodImages(n: number, tag: string): Promise<NamedBytes[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="320" height="240" fill="#${(0x203040 + i * 0x351d07).toString(16).slice(-6)}"/><circle cx="${60 + i * 70}" cy="${50 + i * 40}" r="${30 + i * 9}" fill="#f5e9d0"/><text x="20" y="220" font-size="28">${tag} ${i}</text></svg>`;
      return [`good-${tag}-${i}.png`, new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer())] as const;
    }),
  );
}

describe("bad files in every file field of every file route", () => {
  let t: TestApp;
  let doc: Json;
  let routes: FileRoute[];
  const bad = badFixtures();

  beforeAll(async () => {
    t = await makeTestApp();
    doc = (await (await t.app.request("/api/openapi.json")).json()) as Json;
    routes = fileRoutes(doc);
  });

  test("the document names the file routes, and each can be given a valid request", () => {
    // The ones known today; a new file route is picked up (and must be buildable) on its own.
    expect(routes.map((r) => r.route)).toEqual(expect.arrayContaining(["POST /api/designs", "POST /api/designs/check", "POST /api/templates", "POST /api/templates/psd", "POST /api/mockups"]));
    const unbuildable = routes.flatMap((r) =>
      r.fileFields
        .filter((f) => !buildable(r, f.name))
        .map((f) => `${r.route} field "${f.name}": the API document does not say how to build a valid request (path parameters, a required text field without default or enum, or another required file): add the route to COMPANIONS in this file`),
    );
    expect(unbuildable).toEqual([]);
    const stale = Object.keys(COMPANIONS).filter((k) => !routes.some((r) => r.route === k));
    expect(stale.map((k) => `${k} is in COMPANIONS but the document has no such file route`)).toEqual([]);
  });

  test("each bad file in each field: a 4xx (per item for batches) with a documented code and a clean message, never a 5xx", async () => {
    const failures: string[] = [];
    const outcomes: string[] = [];
    for (const r of routes) {
      const perItem = answersPerItem(doc, r.op);
      // A route with an async switch is tried both ways.
      const modes: Array<Record<string, string>> = r.properties.async?.enum?.includes("true") ? [{}, { async: "true" }] : [{}];
      for (const f of r.fileFields) {
        for (const mode of modes) {
          for (const file of bad) {
            const where = `${r.route} field "${f.name}"${mode.async ? " async=true" : ""} file ${file[0]}`;
            const c = await companionsFor(t, r, f.name);
            c.fields = { ...c.fields, ...mode };
            const res = await t.request(c.path ?? r.path, { method: r.method, body: formOf(c, f.name, file) });
            const text = await res.text();
            let body: Json | undefined;
            try {
              body = JSON.parse(text) as Json;
            } catch {
              failures.push(`${where}: answered ${res.status} with a body that is not JSON: ${text.slice(0, 160)}`);
              continue;
            }
            if (res.status >= 500) {
              failures.push(`${where}: answered ${res.status} ${body.error?.code ?? ""} ${body.error?.message ?? text.slice(0, 160)}`);
              continue;
            }
            let error: { code: string; message: string } | undefined;
            if (perItem && res.status === 200) {
              error = (body as UploadResult).rejected?.[0]?.error;
              if (!error) failures.push(`${where}: a bad file was not refused: ${text.slice(0, 200)}`);
            } else if (perItem && res.status === 202) {
              const job = await waitForJob(t, body.jobId as string);
              error = (job.result as UploadResult | null)?.rejected?.[0]?.error;
              if (!error) failures.push(`${where}: the job did not refuse the file: ${JSON.stringify(job).slice(0, 200)}`);
            } else if (res.status >= 400 && res.status < 500) {
              error = body.error;
              const codes = documentedCodes(r.op, res.status);
              if (!error?.code || !codes.includes(error.code)) failures.push(`${where}: answered ${res.status} ${error?.code}, not among the codes documented for ${res.status}: ${codes.join(", ") || "none"}`);
            } else {
              failures.push(`${where}: answered ${res.status}, expected a 4xx: ${text.slice(0, 200)}`);
            }
            if (!error) continue;
            if (!/^[a-z][a-z0-9_]*$/.test(error.code)) failures.push(`${where}: the code ${JSON.stringify(error.code)} is not a stable snake_case code`);
            // A bad file is the client's fault: an item failing as "ours" hides a 500.
            if (["internal_error", "processing_failed"].includes(error.code)) failures.push(`${where}: refused as ${error.code}, the code of a server fault`);
            if (typeof error.message !== "string" || error.message.length < 10) failures.push(`${where}: the message does not say what is wrong: ${JSON.stringify(error.message)}`);
            const leaked = leaks(`${error.message} ${JSON.stringify(body.error?.details ?? "")}`, t.config.dataDir);
            if (leaked.length) failures.push(`${where}: the message shows ${leaked.join(", ")}: ${error.message}`);
            outcomes.push(`${where} → ${res.status} ${error.code}`);
          }
        }
      }
      const health = await t.app.request("/healthz");
      if (health.status !== 200) failures.push(`after ${r.route}: /healthz answered ${health.status}`);
    }
    console.log(`bad input: ${outcomes.length} refusals over ${routes.length} file routes`);
    if (process.env.SHOW_OUTCOMES) console.log(outcomes.join("\n"));
    expect(failures).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(routes.reduce((n, r) => n + r.fileFields.length, 0) * bad.length);
    // Still serving, and still rendering: a bad file did not take a worker pool down.
    expect((await t.app.request("/healthz")).status).toBe(200);
    const ready = await t.app.request("/readyz");
    expect(ready.status, await ready.clone().text()).toBe(200);
  }, 240_000);

  test("nothing was stored from a refused template request", async () => {
    const { items } = (await (await t.request("/api/templates")).json()) as { items: Array<{ id: string }> };
    expect(items.filter((i) => i.id.startsWith("bad-input-"))).toEqual([]);
  });

  for (const mode of ["sync", "async"] as const) {
    test(`a batch upload (${mode}) with every bad file among good ones stores the good ones, answering per file`, async () => {
      const goods = await goodImages(3, mode);
      const form = new FormData();
      // Bad files first, between and last: none may cost a neighbour its place.
      const order: NamedBytes[] = [bad[0]!, goods[0]!, ...bad.slice(1, 4), goods[1]!, ...bad.slice(4), goods[2]!];
      for (const [name, bytes] of order) form.append("files", new File([bytes], name));
      if (mode === "async") form.append("async", "true");
      // The probe images resemble each other across tests; duplicates are not what this is about.
      form.append("onDuplicate", "keep");
      const res = await t.request("/api/designs", { method: "POST", body: form });
      expect(res.status).toBe(mode === "async" ? 202 : 200);
      const result = mode === "async" ? ((await waitForJob(t, ((await res.json()) as { jobId: string }).jobId)).result as UploadResult) : ((await res.json()) as UploadResult);
      expect(result.created.map((d) => d.filename).sort()).toEqual(goods.map(([n]) => n).sort());
      expect(result.rejected.map((r) => r.filename).sort()).toEqual(bad.map(([n]) => n).sort());
      for (const d of result.created) expect((await t.request(`/api/designs/${d.id}/file`)).status).toBe(200);
      const [row] = await t.sql`SELECT count(*)::int AS n FROM designs WHERE shop_id = ${t.shop.id} AND id = ANY(${result.created.map((d) => d.id)})`;
      expect(row!.n).toBe(3);
    }, 60_000);
  }

  test("a check of good and bad files answers every file, the good ones as unique or duplicates", async () => {
    const goods = await goodImages(2, "check");
    const form = new FormData();
    for (const [name, bytes] of [goods[0]!, ...bad, goods[1]!]) form.append("files", new File([bytes], name));
    const res = await t.request("/api/designs/check", { method: "POST", body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { unique: Array<{ filename: string }>; duplicates: Array<{ filename: string }>; rejected: Array<{ filename: string }> };
    expect([...body.unique, ...body.duplicates].map((u) => u.filename).sort()).toEqual(goods.map(([n]) => n).sort());
    expect(body.rejected.map((r) => r.filename).sort()).toEqual(bad.map(([n]) => n).sort());
  });
});
