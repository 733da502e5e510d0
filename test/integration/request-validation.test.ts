import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_JSON_BODY_BYTES } from "../../src/http/validate-request.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { testDatabase } from "../support/test-database.ts";

type ErrorBody = { error: { code: string; message: string; details?: { problems?: string[] } } };

async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  return body;
}

/** A body sent in chunks, with no Content-Length. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(ctrl) {
      for (let i = 0; i < bytes.length; i += 16384) ctrl.enqueue(bytes.subarray(i, i + 16384));
      ctrl.close();
    },
  });
}

const json = (method: string, body: unknown) => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("request validation at the edge", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ env: { MAX_UPLOAD_MB: "1" } });
  });

  test.each([
    ["/api/designs?product=a%00b", "product"],
    ["/api/designs?kind=digital&product=x%01", "product"],
    ["/api/jobs?type=a%00b", "type"],
  ])("a control character in a query parameter → 400 invalid_query naming it (%s)", async (path, field) => {
    const body = await expectError(await t.request(path), 400, "invalid_query");
    expect(body.error.details?.problems).toEqual([`${field}: must not contain control characters (such as NUL)`]);
  });

  test("every problem of a JSON body is listed at once, with code invalid_fields", async () => {
    const body = await expectError(await t.request("/api/shop/etsy", json("PUT", { apiKey: "k\u0000", shopId: "x" })), 400, "invalid_fields");
    const problems = body.error.details!.problems!.join("\n");
    for (const field of ["apiKey: must not contain control characters", "shopId:", "accessToken:", "refreshToken:"]) expect(problems).toContain(field);
    expect(body.error.message).toContain("accessToken");
  });

  test("a JSON body over the JSON limit → our 413, declared or streamed", async () => {
    const big = JSON.stringify({ apiKey: "x".repeat(MAX_JSON_BODY_BYTES) });
    await expectError(await t.request("/api/shop/etsy", { method: "PUT", headers: { "content-type": "application/json" }, body: big }), 413, "payload_too_large");
    const streamed = await t.request("/api/shop/etsy", { method: "PUT", headers: { "content-type": "application/json" }, body: chunked(new TextEncoder().encode(big)) });
    await expectError(streamed, 413, "payload_too_large");
  });

  test("a listing id that is not Etsy's → 400 invalid_listing_id", async () => {
    await expectError(await t.request("/api/listings/abc/images", json("POST", { mockupIds: ["m"] })), 400, "invalid_listing_id");
  });

  test("multipart mockup options are checked like JSON ones", async () => {
    const form = new FormData();
    form.append("artwork", new File([fixture("artwork/storm-1920.jpg")], "storm.jpg"));
    form.append("templateIds", "poster-straight,\u0000x");
    form.append("format", "tiff");
    const body = await expectError(await t.request("/api/mockups", { method: "POST", body: form }), 400, "invalid_fields");
    const problems = body.error.details!.problems!.join("\n");
    expect(problems).toContain("templateIds.1: must not contain control characters");
    expect(problems).toContain("format:");
  });

  test("a template name with NUL → 400 invalid_manifest naming the field", async () => {
    const manifest = JSON.parse(new TextDecoder().decode(fixture("templates/poster-straight/template.json"))) as Record<string, unknown>;
    const form = new FormData();
    form.append("manifest", JSON.stringify({ ...manifest, id: "nul-name", name: "Poster\u0000" }));
    form.append("background", new File([fixture("templates/poster-straight/background.jpg")], String(manifest.background)));
    const body = await expectError(await t.request("/api/templates", { method: "POST", body: form }), 400, "invalid_manifest");
    expect(body.error.details!.problems).toContain("name: must not contain control characters (such as NUL)");
  });

  test("a streamed template form over the upload limit → our 413", async () => {
    const form = new FormData();
    form.append("manifest", "{}");
    form.append("background", new File([new Uint8Array(1_500_000)], "background.jpg"));
    const encoded = new Response(form);
    const type = encoded.headers.get("content-type")!; // read first: Bun forgets it once the body is read
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const res = await t.request("/api/templates", { method: "POST", body: chunked(bytes), headers: { "content-type": type } });
    await expectError(res, 413, "payload_too_large");
  });

  test("Last-Event-ID: a seq resumes; 2^31, negatives and words → 400 invalid_last_event_id", async () => {
    const upload = await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]], { async: "true" });
    const { jobId } = (await upload.json()) as { jobId: string };
    for (const bad of [String(2 ** 31), "-1", "1.5", "abc", "99999999999"]) {
      await expectError(await t.request(`/api/jobs/${jobId}/events`, { headers: { "last-event-id": bad } }), 400, "invalid_last_event_id");
    }
    await expectError(await t.request(`/api/jobs/${jobId}/events?after=${2 ** 31}`), 400, "invalid_last_event_id");
    const ok = await t.request(`/api/jobs/${jobId}/events`, { headers: { "last-event-id": String(2 ** 31 - 1) } });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });
});

// Bun's own maxRequestBodySize answered an empty 413 past the limit; the server answers ours.
describe("the server process", () => {
  let running: ServerProcess | undefined;
  let scratch: { drop(): Promise<void> } | undefined;
  afterAll(async () => {
    await running?.stop("SIGKILL");
    await scratch?.drop();
  });

  test("a body declared far over MAX_UPLOAD_MB gets our JSON 413, before auth", async () => {
    const db = await testDatabase();
    const database = db.adminUrl ? await db.createScratchDatabase() : undefined;
    scratch = database;
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), "atelier-413-")), LOG_LEVEL: "info", MAX_UPLOAD_MB: "1" };
    running = await startServer(database ? { ...env, DATABASE_URL: database.url } : env, 60_000);
    const res = await fetch(`${running.url}/api/designs`, { method: "POST", body: new Uint8Array(3 * 1024 * 1024), headers: { "content-type": "application/octet-stream" } });
    await expectError(res, 413, "payload_too_large");
  });
});
