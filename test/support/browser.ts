import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startServer, type ServerProcess } from "./server-process.ts";
import { testDatabase } from "./test-database.ts";

/** Debian's Chromium; the browser tests drive it with playwright-core (no browser download). */
export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export const browserMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found: browser tests skipped (apt-get install chromium, or .ci/install-services)`;

/** Where tests leave screenshots (gitignored). */
export const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;

/** Launches headless Chromium with a fresh temporary profile. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * A fresh browser context (no storage) at `link` (a first-start sign-in link) once the workspace
 * shows; the context goes into `track.contexts` (to close), page errors into `track.pageErrors`.
 */
export async function signedInPage(
  browser: Browser,
  link: string,
  track: { contexts: BrowserContext[]; pageErrors: string[] },
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  track.contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => track.pageErrors.push(String(e)));
  await page.goto(link);
  await page.locator("#workspace").waitFor({ state: "visible" });
  return page;
}

/** A server started for the browser tests, on a fresh data directory and database. */
export interface WebServer {
  server: ServerProcess;
  /** Base URL to reach it, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The first-start sign-in link exactly as the banner printed it (`…/#token=atl_…`). */
  signInLink: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * Starts `bun src/main.ts` as a seller would, on a temporary DATA_DIR and (when the suite has
 * a real PostgreSQL) an empty scratch database, so it prints the first-start banner; reads the
 * sign-in link and token from its stderr.
 */
export async function startWebServer(extraEnv: Record<string, string> = {}): Promise<WebServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-web-"));
  const db = await testDatabase();
  const scratch = db.adminUrl ? await db.createScratchDatabase() : undefined;
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "info", ...extraEnv };
  if (scratch) env.DATABASE_URL = scratch.url;
  let server: ServerProcess | undefined;
  const cleanUp = async () => {
    await server?.stop("SIGKILL").catch(() => {});
    await scratch?.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    server = await startServer(env, 60_000);
    // stderr is its own pipe: the banner may arrive just after the "listening" log line.
    const deadline = Date.now() + 5_000;
    let match: RegExpExecArray | null = null;
    while (!(match = /(http\S+\/#token=(atl_[A-Za-z0-9_-]+))/.exec(server.stderr()))) {
      if (Date.now() > deadline) throw new Error(`no sign-in link on stderr: ${server.stderr()}`);
      await Bun.sleep(20);
    }
    return { server, url: server.url, signInLink: match[1]!, token: match[2]!, stop: cleanUp };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** A loopback TCP proxy whose open connections can be cut at once while it keeps accepting new ones. */
export interface CuttableProxy {
  url: string;
  /** Closes every connection open now, as a dropped network does; later connections pass. */
  cut(): void;
  close(): void;
}

type ProxySocket = import("bun").Socket<ProxyLink>;

interface ProxyLink {
  client: ProxySocket;
  target?: ProxySocket;
  /** Bytes waiting for each side: the target before it is connected, either side while its buffer is full. */
  toTarget: Uint8Array[];
  toClient: Uint8Array[];
}

/** Writes what is queued, then `chunk`, keeping whatever the socket does not take yet. */
function flush(socket: ProxySocket | undefined, queue: Uint8Array[], chunk?: Uint8Array): void {
  if (chunk) queue.push(new Uint8Array(chunk));
  while (socket && queue.length) {
    const head = queue[0]!;
    const written = socket.write(head);
    if (written < head.length) {
      queue[0] = head.subarray(Math.max(written, 0));
      return; // the socket's drain handler flushes again
    }
    queue.shift();
  }
}

/** Starts a CuttableProxy on 127.0.0.1 in front of `targetPort`. */
export function startCuttableProxy(targetPort: number): CuttableProxy {
  const links = new Set<ProxyLink>();
  const shut = (link: ProxyLink) => {
    links.delete(link);
    link.client.end();
    link.target?.end();
  };
  const listener = Bun.listen<ProxyLink>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        const link: ProxyLink = { client, toTarget: [], toClient: [] };
        client.data = link;
        links.add(link);
        Bun.connect<ProxyLink>({
          hostname: "127.0.0.1",
          port: targetPort,
          data: link,
          socket: {
            open(target) {
              link.target = target;
              flush(target, link.toTarget);
            },
            data: (_t, chunk) => flush(link.client, link.toClient, chunk),
            drain: (target) => flush(target, link.toTarget),
            close: () => shut(link),
            error: () => shut(link),
            connectError: () => shut(link),
          },
        }).catch(() => shut(link));
      },
      data: (client, chunk) => flush(client.data.target, client.data.toTarget, chunk),
      drain: (client) => flush(client, client.data.toClient),
      close: (client) => shut(client.data),
      error: (client) => shut(client.data),
    },
  });
  return {
    url: `http://127.0.0.1:${listener.port}`,
    cut: () => [...links].forEach(shut),
    close() {
      listener.stop(true);
      [...links].forEach(shut);
    },
  };
}
