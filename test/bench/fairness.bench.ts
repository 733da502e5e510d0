import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "../support/test-app.ts";
import { peakRssMb, runCli, startServer } from "../support/server-process.ts";
import { serverTuning } from "./server-env.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const BIG_BODY_MB = 250;
const TEMPLATES = ["living-room-angled", "gallery-wall-2up", "poster-straight", "canvas-wood-occluded"];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0);
};

/**
 * Issue 13's load test, loopback only and bounded (BENCH_SECONDS of load): shop A queues 100
 * 10-mockup jobs (high priority) and sends 8 × 250 MB bodies at once; shops B and C each send
 * single mockups one after another. Prints each single mockup's time to done, the server's peak
 * RSS and /healthz latency (probed every 100 ms) against the issue's 5 s, 800 MB and 100 ms.
 */
export async function benchFairness(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-fair-"));
  const env = { ...serverTuning(), DATA_DIR: dataDir, LOG_LEVEL: "info" };
  // Shops and tokens before the server starts (the CLI opens the same database).
  const tokens: string[] = [];
  for (const shop of ["heavy", "light-b", "light-c"]) {
    const out = await runCli(["user", "add", "--shop", shop], env);
    tokens.push(/(atl_[A-Za-z0-9_-]{43})/.exec(out.stdout + out.stderr)![1]!);
  }
  const server = await startServer(env, 60_000);
  const auth = (i: number) => ({ authorization: `Bearer ${tokens[i]}` });
  try {
    const designs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const form = new FormData();
      form.append("files", new File([fixture("artwork/storm-1920.jpg")], "storm.jpg"));
      const up = (await (await fetch(`${server.url}/api/designs`, { method: "POST", body: form, headers: auth(i) })).json()) as { created: Array<{ id: string }> };
      designs.push(up.created[0]!.id);
    }
    const post = (i: number, templateIds: string[], sse: boolean) =>
      fetch(`${server.url}/api/mockups`, {
        method: "POST",
        headers: { ...auth(i), "content-type": "application/json", ...(sse ? { accept: "text/event-stream" } : {}) },
        body: JSON.stringify({ designId: designs[i], templateIds, priority: "high" }),
      });

    const until = performance.now() + SECONDS * 1000;
    const health: number[] = [];
    let healthFailures = 0;
    const probing = (async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/healthz`).catch(() => undefined);
        health.push(performance.now() - t0);
        if (res?.status !== 200) healthFailures++;
        await res?.text();
        await Bun.sleep(100);
      }
    })();

    // Shop A: 100 heavy jobs, then 8 big bodies at once (a valid multipart header, zeros after).
    const heavyTemplates = Array.from({ length: 10 }, (_, i) => TEMPLATES[i % TEMPLATES.length]!);
    const heavyStatus = new Map<number, number>();
    for (let j = 0; j < 100; j++) {
      const res = await post(0, heavyTemplates, false);
      heavyStatus.set(res.status, (heavyStatus.get(res.status) ?? 0) + 1);
      await res.text();
    }
    const big = new Blob([new Uint8Array(BIG_BODY_MB * 1024 * 1024)]);
    const bodyStatus = new Map<number | string, number>();
    const bigBodies = Array.from({ length: 8 }, async () => {
      const res = await fetch(`${server.url}/api/designs`, {
        method: "POST",
        headers: { ...auth(0), "content-type": "multipart/form-data; boundary=bench-boundary" },
        body: big,
      }).catch(() => undefined);
      const key = res?.status ?? "reset";
      bodyStatus.set(key, (bodyStatus.get(key) ?? 0) + 1);
      await res?.text().catch(() => {});
    });

    // Shops B and C: one mockup at a time, timed from the request to `done`.
    const singles: number[] = [];
    const singleStatus = new Map<number, number>();
    const light = async (i: number) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const res = await post(i, ["poster-straight"], true);
        singleStatus.set(res.status, (singleStatus.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (text.includes("event: done")) singles.push(performance.now() - t0);
        else await Bun.sleep(500);
      }
    };
    await Promise.all([light(1), light(2), probing, ...bigBodies]);
    const rss = Math.round(await peakRssMb(server.proc.pid));
    const fmt = (m: Map<unknown, number>) => [...m].map(([k, v]) => `${k}×${v}`).join(" ");
    process.stdout.write(
      `bench fairness: ${SECONDS} s; heavy shop: 100 jobs of 10 mockups (${fmt(heavyStatus)}), 8 × ${BIG_BODY_MB} MB bodies (${fmt(bodyStatus)})\n` +
        `bench fairness: single mockups of 2 other shops: ${singles.length} done, p50 ${pct(singles, 50)} ms, p95 ${pct(singles, 95)} ms, max ${pct(singles, 100)} ms (${fmt(singleStatus)}) — limit 5000 ms: ${pct(singles, 100) <= 5000 ? "ok" : "OVER"}\n` +
        `bench fairness: server peak RSS ${rss} MB — limit 800 MB: ${rss < 800 ? "ok" : "OVER"}\n` +
        `bench fairness: /healthz ${health.length} probes, p50 ${pct(health, 50)} ms, p95 ${pct(health, 95)} ms, max ${pct(health, 100)} ms, non-200 ${healthFailures} — limit 100 ms: ${pct(health, 100) <= 100 && healthFailures === 0 ? "ok" : "OVER"}\n`,
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
