import { expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { makeTestApp } from "../support/test-app.ts";

test("GET /healthz reports database and storage, without a token", async () => {
  const t = await makeTestApp();
  const res = await t.app.request("/healthz");
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, { ok: boolean }>;
  expect(body).toMatchObject({ status: "ok", database: { ok: true }, storage: { ok: true, driver: "local" } });
  expect(res.headers.get("x-request-id")).toBeString();
  expect(t.logs.find((l) => l.msg === "request")).toMatchObject({ route: "/healthz", status: 200, method: "GET" });
});

test("GET /healthz answers 503 when storage cannot be written", async () => {
  const t = await makeTestApp();
  rmSync(t.config.storageDir, { recursive: true, force: true });
  writeFileSync(t.config.storageDir, "a file where the storage folder should be");
  const res = await t.app.request("/healthz");
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ status: "unavailable", database: { ok: true }, storage: { ok: false } });
});

test("a client's request id is kept in the response and the log", async () => {
  const t = await makeTestApp();
  const res = await t.app.request("/healthz", { headers: { "x-request-id": "abc-123" } });
  expect(res.headers.get("x-request-id")).toBe("abc-123");
  expect(t.logs.some((l) => l.requestId === "abc-123" && l.msg === "request")).toBe(true);
});
