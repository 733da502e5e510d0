import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../support/server-process.ts";
import { report } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = new URL("../../", import.meta.url).pathname;

/** Start-up to a ready /healthz on an existing data directory (embedded database). */
export async function benchStartup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-start-"));
  try {
    const first = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: "info" }, 60_000); // creates the data dir
    await first.stop();
    const samples: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const t0 = performance.now();
      const proc = Bun.spawn([process.execPath, "src/main.ts"], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, LOG_LEVEL: "warn", PORT: String(port), HOST: "127.0.0.1" },
        stdout: "ignore",
        stderr: "ignore",
      });
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
        if (ok) break;
        if (performance.now() - t0 > 30_000) throw new Error("server did not become healthy in 30 s");
        await Bun.sleep(5);
      }
      samples.push(performance.now() - t0);
      proc.kill("SIGTERM");
      await proc.exited;
    }
    report("startup to ready /healthz (existing data dir, embedded db)", samples, "ms");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
