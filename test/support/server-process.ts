import type { Subprocess } from "bun";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A running `bun src/main.ts` with its stdout log lines and stderr text. */
export interface ServerProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * Starts the server as a seller would (README line 1 minus the install), on a free port.
 * It is ready when it logs "listening", so LOG_LEVEL must be info or debug.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const proc = Bun.spawn([process.execPath, "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", HOST: "127.0.0.1", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const logs: Array<Record<string, unknown>> = [];
  let errText = "";
  void (async () => {
    for await (const chunk of proc.stderr) errText += new TextDecoder().decode(chunk);
  })();
  let resolveListening: (port: number) => void = () => {};
  const listening = new Promise<number>((r) => (resolveListening = r));
  void (async () => {
    let buf = "";
    for await (const chunk of proc.stdout) {
      buf += new TextDecoder().decode(chunk);
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          logs.push(rec);
          if (rec.msg === "listening") resolveListening(rec.port as number);
        } catch {
          logs.push({ unparsed: line });
        }
      }
    }
  })();
  let timer: Timer | undefined;
  const port = await Promise.race([
    listening,
    proc.exited.then((code) => {
      throw new Error(`server exited with ${code}: ${errText}`);
    }),
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => {
        proc.kill();
        fail(new Error(`server did not start in ${timeoutMs} ms: ${errText}`));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    logs,
    stderr: () => errText,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return proc.exited;
    },
  };
}

/** Runs `bun src/cli.ts …`; returns exit code, stdout and stderr. */
export async function runCli(args: string[], env: Record<string, string>) {
  const proc = Bun.spawn([process.execPath, "src/cli.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Peak resident memory of a process, in MB (Linux). */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Peak RSS of the embedded database's process (from the `listening` log), when there is one. */
export async function databasePeakRss(server: ServerProcess): Promise<Record<string, number>> {
  const pid = server.logs.find((l) => l.msg === "listening")?.databasePid;
  return typeof pid === "number" ? { databaseProcessPeakRssMB: Math.round(await peakRssMb(pid)) } : {};
}
