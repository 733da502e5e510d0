import type { Subprocess } from "bun";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** Where the tests look for OpenSSH's server; `TEST_SSHD` overrides it. */
export const SSHD_PATH = process.env.TEST_SSHD ?? "/usr/sbin/sshd";

/**
 * A real OpenSSH sshd serving SFTP (internal-sftp) on 127.0.0.1, as the current user,
 * with throwaway host and client keys. Files land under `root` on the local disk.
 */
export interface TestSshd {
  host: string;
  port: number;
  username: string;
  /** The client's private key, OpenSSH format (ed25519). */
  privateKey: string;
  /** The host key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` + unpadded base64. */
  hostKeyFingerprint: string;
  /** The SFTP session's start directory on the local disk (absolute; also valid remotely). */
  root: string;
  /** Kills sshd and every session it forked, as when the NAS loses power: connections drop. */
  stop(): Promise<void>;
  /** Starts sshd again on the same port with the same keys. */
  start(): Promise<void>;
  /** Stops sshd and deletes its temporary directory. */
  dispose(): Promise<void>;
  /** sshd's stderr so far (it logs with -e), for failure messages. */
  logs(): string;
}

/** Why the SFTP tests cannot run here (sshd or ssh-keygen missing), or undefined when they can. */
export function sshdUnavailableReason(): string | undefined {
  if (!existsSync(SSHD_PATH)) return `${SSHD_PATH} not found (Debian: apt-get install openssh-server)`;
  if (!Bun.which("ssh-keygen")) return "ssh-keygen not found (Debian: apt-get install openssh-client)";
  return undefined;
}

/** The OpenSSH fingerprint of a public key line (`ssh-ed25519 AAAA… comment`): SHA256 of the key blob. */
export function fingerprintOfPublicKeyLine(line: string): string {
  const blob = line.trim().split(/\s+/)[1];
  if (!blob) throw new Error(`not a public key line: ${line}`);
  const digest = createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** Generates keys and a config in a temporary directory and starts sshd on a free port. */
export async function startSshd(): Promise<TestSshd> {
  const reason = sshdUnavailableReason();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), "atelier-sshd-"));
  const root = join(dir, "root");
  mkdirSync(root);
  const hostKey = join(dir, "ssh_host_ed25519_key");
  const clientKey = join(dir, "client_ed25519_key");
  await keygen(hostKey);
  await keygen(clientKey);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`));
  // Privilege separation needs this directory when sshd runs as root; harmless otherwise.
  try {
    mkdirSync("/run/sshd", { recursive: true });
  } catch {
    // not root: sshd then runs without privilege separation and does not need it
  }
  const username = currentUsername();
  const port = await freePort();
  const configPath = join(dir, "sshd_config");
  writeFileSync(
    configPath,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `AllowUsers ${username}`,
      username === "root" ? "PermitRootLogin prohibit-password" : "",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      // The pool tests open many connections at once; the default (10) drops the excess.
      "MaxStartups 200",
      "LogLevel ERROR",
      "Subsystem sftp internal-sftp",
      `ForceCommand internal-sftp -d ${root}`,
      "",
    ]
      .filter((line, i, all) => line !== "" || i === all.length - 1)
      .join("\n"),
  );
  const hostKeyFingerprint = fingerprintOfPublicKeyLine(readFileSync(`${hostKey}.pub`, "utf8"));

  let proc: Subprocess<"ignore", "ignore", "pipe"> | undefined;
  let running = false; // exitCode stays null after a kill by signal, so track exit ourselves
  let logText = "";

  const start = async () => {
    if (running) return;
    const p = Bun.spawn([SSHD_PATH, "-D", "-e", "-f", configPath], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    proc = p;
    running = true;
    void p.exited.then(() => {
      if (proc === p) running = false;
    });
    void (async () => {
      for await (const chunk of p.stderr) logText += new TextDecoder().decode(chunk);
    })();
    const deadline = Date.now() + 10_000;
    while (!(await answersSsh(port))) {
      if (!running) throw new Error(`sshd exited with ${p.exitCode ?? p.signalCode}: ${logText}`);
      if (Date.now() > deadline) throw new Error(`sshd did not answer on port ${port} within 10 s: ${logText}`);
      await Bun.sleep(25);
    }
  };

  // Sessions are forked children that outlive the listener; kill them first, abruptly.
  const killAll = () => {
    const p = proc;
    if (!p || !running) return;
    for (const pid of [...descendantsOf(p.pid), p.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };

  const stop = async () => {
    const p = proc;
    if (!p || !running) return;
    killAll();
    await p.exited;
    running = false;
  };

  // A test run that dies without dispose() must not leave sshd listening.
  process.once("exit", killAll);
  await start();
  return {
    host: "127.0.0.1",
    port,
    username,
    privateKey: readFileSync(clientKey, "utf8"),
    hostKeyFingerprint,
    root,
    stop,
    start,
    async dispose() {
      await stop();
      process.off("exit", killAll);
      rmSync(dir, { recursive: true, force: true });
    },
    logs: () => logText,
  };
}

// Bun's os.userInfo() reports "unknown" for root here; /etc/passwd is the authority sshd uses.
function currentUsername(): string {
  const uid = process.getuid?.() ?? -1;
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (name && Number(id) === uid) return name;
    }
  } catch {
    // no /etc/passwd: fall through
  }
  return process.env.USER ?? userInfo().username;
}

async function keygen(path: string): Promise<void> {
  const p = Bun.spawn(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "atelier-test", "-f", path], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  if ((await p.exited) !== 0) throw new Error(`ssh-keygen failed: ${await new Response(p.stderr).text()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Ready means the SSH banner arrives, not merely that the port accepts.
async function answersSsh(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean, socket?: { end(): void }) => {
      if (done) return;
      done = true;
      socket?.end();
      resolve(ok);
    };
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(socket, data) {
          finish(Buffer.from(data).toString("latin1").startsWith("SSH-"), socket);
        },
        close: () => finish(false),
        error: () => finish(false),
        connectError: () => finish(false),
      },
    }).catch(() => finish(false));
    setTimeout(() => finish(false), 1000);
  });
}

// Every process below `pid`, read from /proc (Linux): sshd's per-connection processes.
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // The command name may contain spaces and parentheses; the fields after the last ")" do not.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const children = parents.get(ppid) ?? [];
    children.push(Number(entry));
    parents.set(ppid, children);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}
