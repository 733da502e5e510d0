import { readFileSync } from "node:fs";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics/atelier-metrics.ts";
import { LocalStorage } from "./local.storage.ts";
import { SftpStorage } from "./sftp.storage.ts";
import type { Storage } from "./storage.ts";
import { StorageRouter } from "./storage-router.ts";

/**
 * The configured storage: the shop's NAS over SFTP when NAS_HOST is set, else the local folder.
 * With the NAS, the local folder stays readable for rows stored there before the NAS was added.
 */
export function openStorage(config: Readonly<Config>, log: Logger): StorageRouter {
  const local = new LocalStorage(config.storageDir);
  const nas = config.nas;
  if (!nas) return new StorageRouter(local);
  const sftp = new SftpStorage({
    host: nas.host,
    port: nas.port,
    username: nas.username,
    password: nas.password,
    privateKey: nas.privateKeyFile ? readFileSync(nas.privateKeyFile) : undefined,
    root: nas.root,
    hostKeyFingerprint: nas.hostKeyFingerprint,
    allowUnknownHostKey: nas.allowUnknownHostKey,
    maxConnections: nas.maxConnections,
    logger: log.child({ storage: "sftp" }),
  });
  return new StorageRouter(sftp, [local]);
}

/** Adds the NAS pool's own figures to /metrics: connections, uploads, bytes, failures, retries. */
export function registerStorageMetrics(configured: Storage, metrics: Metrics): void {
  const storage = configured instanceof StorageRouter ? configured.primary : configured;
  if (!(storage instanceof SftpStorage)) return;
  const s = () => storage.stats();
  metrics.gauge("atelier_nas_connections", "SSH connections to the NAS, open and busy.", (set) => {
    set({ state: "open" }, s().connectionsOpen);
    set({ state: "busy" }, s().connectionsBusy);
  });
  metrics.gauge("atelier_nas_connections_created_total", "SSH connections opened since start.", (set) => set({}, s().connectionsCreated));
  metrics.gauge("atelier_nas_uploads_total", "Files written to the NAS since start.", (set) => set({}, s().uploads));
  metrics.gauge("atelier_nas_upload_bytes_total", "Bytes written to the NAS since start.", (set) => set({}, s().uploadBytes));
  metrics.gauge("atelier_nas_upload_seconds_total", "Time spent writing files to the NAS since start.", (set) => set({}, s().uploadMs.sum / 1000));
  metrics.gauge("atelier_nas_failures_total", "NAS operations that failed after their retries.", (set) => set({}, s().failures));
  metrics.gauge("atelier_nas_retries_total", "NAS operations tried again after a connection failure.", (set) => set({}, s().retries));
  metrics.gauge("atelier_nas_waiting", "Requests waiting for a free NAS connection.", (set) => set({}, s().waiting));
}
