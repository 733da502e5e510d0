import type { Queryable } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { TEMP_NAME } from "../storage/storage-path.ts";
import { removeFolders } from "../storage/remove-folders.ts";
import type { Storage } from "../storage/storage.ts";
import { mapLimit } from "../util/concurrency.ts";
import { pathsOfLiveJobs } from "./job-queue.repository.ts";

/** Deletes at once while sweeping: enough to overlap round trips to a NAS, few enough for its pool. */
const DELETE_CONCURRENCY = 8;

/** `<shop>/incoming/<id>` of a staged file, or undefined for any other path. */
function stagingFolder(path: string): string | undefined {
  const parts = path.split("/");
  return parts.length >= 4 && parts[1] === "incoming" ? parts.slice(0, 3).join("/") : undefined;
}

/**
 * Removes what crashes and lost cleanups leave in storage: temporary files of interrupted
 * writes (`.tmp-*`) and staged job input (`<shop>/incoming/<id>/`) that no queued or running
 * job names. Only files older than `graceMs` go: a write or a staging in progress is younger.
 */
export async function sweepLeftovers(o: { sql: Queryable; storage: Storage; log: Logger; graceMs: number; now?: () => number }): Promise<{ removed: number }> {
  const cutoff = (o.now ?? Date.now)() - o.graceMs;
  const old = (await o.storage.list("")).filter((f) => f.modifiedMs < cutoff);
  const folders = [...new Set(old.map((f) => stagingFolder(f.path)).filter((f): f is string => f !== undefined))];
  const live = await pathsOfLiveJobs(o.sql, folders.map((f) => `${f}/`));
  const doomed = old.filter((f) => {
    if (TEMP_NAME.test(f.path.split("/").at(-1)!)) return true;
    const folder = stagingFolder(f.path);
    return folder !== undefined && !live.has(`${folder}/`);
  });
  let removed = 0;
  await mapLimit(doomed, DELETE_CONCURRENCY, (f) =>
    o.storage.delete(f.path).then(
      () => void removed++,
      (err: unknown) => o.log.warn("leftover not removed", { path: f.path, err }),
    ),
  );
  await removeFolders(o.storage, doomed.map((f) => f.path));
  if (removed > 0) o.log.info("leftovers removed", { removed, stagingFolders: folders.length - live.size });
  return { removed };
}
