import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseLockedError, lockHolder } from "./embedded-lock.ts";

export { DatabaseLockedError } from "./embedded-lock.ts";

/** A PGlite database served over the Postgres wire protocol on loopback, by its own process. */
export interface EmbeddedPostgres {
  /** postgres.js connection options for the served database. */
  readonly host: string;
  readonly port: number;
  /** The database process, for operators (its memory is its own). */
  readonly pid: number;
  close(): Promise<void>;
}

const SERVER_SCRIPT = new URL("./embedded-postgres.server.ts", import.meta.url).pathname;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Opens (or creates) a PGlite database in `dir`, served on 127.0.0.1 at a free port by a
 * child process. Apart from the server, PGlite's work (synchronous WebAssembly) never blocks
 * the HTTP event loop, and its memory (about 120 MB) is not the server's. PGlite cannot be
 * shared between processes, so a pid lock file guards the directory.
 */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, "atelier.lock");
  const holder = lockHolder(lock);
  if (holder) throw new DatabaseLockedError(lock, holder);
  if (!existsSync(join(dir, "PG_VERSION"))) await initInChildProcess(dir);

  const child = Bun.spawn([process.execPath, SERVER_SCRIPT, dir], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  let stderr = "";
  void (async () => {
    for await (const chunk of child.stderr) stderr += new TextDecoder().decode(chunk);
  })();
  const first = await firstLine(child.stdout, START_TIMEOUT_MS).catch(() => undefined);
  const answer = first ? (JSON.parse(first) as { port?: number; locked?: number }) : {};
  if (answer.locked) throw new DatabaseLockedError(lock, answer.locked);
  if (!answer.port) {
    child.kill("SIGKILL");
    throw new Error(`The embedded database in ${dir} did not start: ${stderr.trim() || `exit ${await child.exited}`}`);
  }
  let closing: Promise<void> | undefined;
  return {
    host: "127.0.0.1",
    port: answer.port,
    pid: child.pid,
    close() {
      closing ??= (async () => {
        await child.stdin.end(); // the database closes and flushes, then exits
        const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(STOP_TIMEOUT_MS).then(() => false)]);
        if (!exited) child.kill("SIGKILL");
      })();
      return closing;
    },
  };
}

async function firstLine(stream: ReadableStream<Uint8Array>, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("closed before answering");
      text += new TextDecoder().decode(value);
      const nl = text.indexOf("\n");
      if (nl >= 0) return text.slice(0, nl);
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}

async function initInChildProcess(dir: string): Promise<void> {
  const script = new URL("./init-embedded-database.ts", import.meta.url).pathname;
  const child = Bun.spawn([process.execPath, script, dir], { stdout: "ignore", stderr: "pipe" });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`Creating the embedded database in ${dir} failed (exit ${code}): ${stderr.trim()}`);
}
