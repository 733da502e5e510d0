import { chmodSync, existsSync, rmSync } from "node:fs";
import type { Logger } from "../logger.ts";

/**
 * Serves `fetch` on a unix socket only this user can open (mode 0600, made under umask 077 so
 * it is never open to others, even for a moment). A socket left by a crashed server is replaced;
 * one a running server answers on is left alone (undefined: not served).
 */
export async function serveAdminSocket(path: string, fetch: (req: Request) => Response | Promise<Response>, log: Logger): Promise<{ stop(): void } | undefined> {
  if (existsSync(path)) {
    const alive = await globalThis.fetch("http://atelier/", { unix: path, signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
    if (alive) {
      log.warn("admin socket in use by another process; not served", { path });
      return undefined;
    }
    rmSync(path, { force: true });
  }
  const umask = process.umask(0o077);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ unix: path, fetch });
  } finally {
    process.umask(umask);
  }
  chmodSync(path, 0o600);
  return {
    stop() {
      void server.stop(true);
      rmSync(path, { force: true });
    },
  };
}
