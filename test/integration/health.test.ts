import { expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { Readiness } from "../../src/services/readiness.ts";
import { makeTestApp } from "../support/test-app.ts";

const METRICS_TOKEN = "metrics-token-0123456789";

test("GET /healthz is liveness: 200 without a token, touching neither database nor storage", async () => {
  const t = await makeTestApp();
  rmSync(t.config.storageDir, { recursive: true, force: true });
  writeFileSync(t.config.storageDir, "a file where the storage folder should be");
  const res = await t.app.request("/healthz");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
  expect(res.headers.get("x-request-id")).toBeString();
  expect(t.logs.find((l) => l.msg === "request")).toMatchObject({ route: "/healthz", status: 200, method: "GET" });
});

test("GET /readyz reports database and storage, without a token", async () => {
  const t = await makeTestApp();
  const res = await t.app.request("/readyz");
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", database: { ok: true }, storage: { ok: true, driver: "local" } });
});

test("GET /readyz answers 503 when storage cannot be written; the reason only with the metrics token", async () => {
  const t = await makeTestApp({ env: { METRICS_TOKEN } });
  rmSync(t.config.storageDir, { recursive: true, force: true });
  writeFileSync(t.config.storageDir, "a file where the storage folder should be");
  const res = await t.app.request("/readyz");
  expect(res.status).toBe(503);
  const body = (await res.json()) as { storage: Record<string, unknown> };
  expect(body).toMatchObject({ status: "unavailable", database: { ok: true }, storage: { ok: false } });
  expect(body.storage.error).toBeUndefined();
  expect(JSON.stringify(body)).not.toContain(t.config.storageDir);
  const operator = (await (await t.app.request("/readyz", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).json()) as { storage: { error: string } };
  expect(operator.storage.error).toContain(t.config.storageDir);
});

test("the storage probe is cached: many readiness checks at once write one probe file", async () => {
  let checks = 0;
  const t = await makeTestApp({ storage: (local) => Object.assign(Object.create(local), { check: async () => void checks++ }) });
  const answers = await Promise.all(Array.from({ length: 20 }, () => t.app.request("/readyz")));
  expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
  expect(await (await t.app.request("/readyz")).json()).toMatchObject({ storage: { ok: true } });
  expect(checks).toBe(1);
});

test("a client's request id is kept in the response and the log", async () => {
  const t = await makeTestApp();
  const res = await t.app.request("/healthz", { headers: { "x-request-id": "abc-123" } });
  expect(res.headers.get("x-request-id")).toBe("abc-123");
  expect(t.logs.some((l) => l.requestId === "abc-123" && l.msg === "request")).toBe(true);
});

test("readiness reports the renderer's queue, what its threads hold, their stops and restarts, and the process RSS", async () => {
  const t = await makeTestApp();
  const renderer = { load: () => ({ waiting: 3, maxQueue: 100 }), memory: () => ({ restarts: 1, memoryStops: 4, threadMb: 210, lastRssMb: 618 }) };
  const report = await new Readiness({ sql: t.db.sql, databaseKind: "postgres", storage: t.storage, renderer }).report();
  expect(report.renderer).toEqual({ ok: true, waiting: 3, maxQueue: 100, restarts: 1, memoryStops: 4, threadMb: 210, lastRssMb: 618 });
});
