import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../src/logger.ts";
import { SftpStorage } from "../../src/storage/sftp.storage.ts";
import { peakRssMb } from "../support/server-process.ts";
import { sshdUnavailableReason, startSshd, type TestSshd } from "../support/sshd.ts";
import { spawnTcpProxy } from "../support/tcp-proxy.ts";
import { median, report } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILES = 40;
const FILE_BYTES = 2 * 1024 * 1024;
const LATENCY_MS = 10; // each way: a 20 ms round trip, like a NAS over a VPN or a slow Wi-Fi
const POOL = 10;

/**
 * SFTP puts of 40 × 2 MB random files to a local OpenSSH sshd: (a) one connection, one file at a
 * time, and (b) the pool in parallel, both through a proxy adding 10 ms each way (loopback SFTP
 * is CPU-bound and would hide the round trips); (c) the pool in parallel over plain loopback.
 * The proxy runs in its own process: in this one it took a third of the thread being measured.
 */
export async function benchSftp(): Promise<void> {
  const unavailable = sshdUnavailableReason();
  if (unavailable) {
    process.stdout.write(`bench sftp: skipped, ${unavailable}\n`);
    return;
  }
  const files = Array.from({ length: FILES }, () => new Uint8Array(randomBytes(FILE_BYTES)));
  const totalMb = (FILES * FILE_BYTES) / 1e6;
  const sshd = await startSshd();
  const slow = await spawnTcpProxy({ targetHost: sshd.host, targetPort: sshd.port, latencyMs: LATENCY_MS });
  process.stdout.write(`sftp bench: ${FILES} files × ${FILE_BYTES / 1024 / 1024} MiB, ${RUNS} runs after one warm-up\n`);
  try {
    // The baseline of the issue (and of the old system): the library's own put(), one file at a time.
    const libraryPut = await measureLibraryPut(sshd, { host: slow.host, port: slow.port }, files);
    report(`sftp (a0) 1 connection sequential, ssh2-sftp-client put(), +${LATENCY_MS} ms each way`, libraryPut, "MB/s");
    const sequential = await measure(sshd, { host: slow.host, port: slow.port }, 1, false, files);
    report(`sftp (a) 1 connection sequential, +${LATENCY_MS} ms each way`, sequential, "MB/s", { MB: totalMb.toFixed(1) });
    const pooled = await measure(sshd, { host: slow.host, port: slow.port }, POOL, true, files);
    report(`sftp (b) pool of ${POOL} parallel, +${LATENCY_MS} ms each way`, pooled, "MB/s", {
      vsSequential: `${(median(pooled) / median(sequential)).toFixed(1)}x`,
      vsLibraryPut: `${(median(pooled) / median(libraryPut)).toFixed(1)}x`,
    });
    const loopback = await measure(sshd, { host: sshd.host, port: sshd.port }, POOL, true, files);
    report(`sftp (c) pool of ${POOL} parallel, loopback`, loopback, "MB/s", { peakRssMB: Math.round(await peakRssMb(process.pid)) });
  } finally {
    await slow.stop();
    await sshd.dispose();
  }
}

async function measureLibraryPut(sshd: TestSshd, via: { host: string; port: number }, files: Uint8Array[]): Promise<number[]> {
  const { default: SftpClient } = await import("ssh2-sftp-client");
  const client = new SftpClient();
  const root = join(sshd.root, `bench-put-${randomBytes(4).toString("hex")}`);
  await client.connect({ host: via.host, port: via.port, username: sshd.username, privateKey: sshd.privateKey, hostVerifier: () => true });
  const samples: number[] = [];
  try {
    for (let run = 0; run <= Math.min(RUNS, 2); run++) {
      const dir = `${root}/run-${run}`;
      await client.mkdir(dir, true);
      const start = performance.now();
      for (const [i, bytes] of files.entries()) await client.put(Buffer.from(bytes), `${dir}/file-${i}.png`);
      if (run > 0) samples.push((files.length * FILE_BYTES) / 1e6 / ((performance.now() - start) / 1000));
    }
  } finally {
    await client.end();
    rmSync(root, { recursive: true, force: true });
  }
  return samples;
}

async function measure(
  sshd: TestSshd,
  via: { host: string; port: number },
  maxConnections: number,
  parallel: boolean,
  files: Uint8Array[],
): Promise<number[]> {
  const root = join(sshd.root, `bench-${randomBytes(4).toString("hex")}`);
  const storage = new SftpStorage({
    host: via.host,
    port: via.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    root,
    maxConnections,
    logger: createLogger("warn"),
  });
  const samples: number[] = [];
  try {
    for (let run = 0; run <= RUNS; run++) {
      const start = performance.now();
      const put = (bytes: Uint8Array, i: number) => storage.put(`shop/run-${run}/file-${i}.png`, bytes);
      if (parallel) await Promise.all(files.map(put));
      else for (const [i, bytes] of files.entries()) await put(bytes, i);
      const seconds = (performance.now() - start) / 1000;
      // The first run opens the connections and folders; the figures are for a warm pool.
      if (run > 0) samples.push((files.length * FILE_BYTES) / 1e6 / seconds);
      rmSync(join(root, "shop", `run-${run}`), { recursive: true, force: true });
    }
  } finally {
    await storage.close();
    rmSync(root, { recursive: true, force: true });
  }
  return samples;
}

if (import.meta.main) await benchSftp();
