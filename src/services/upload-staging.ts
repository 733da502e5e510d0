import { removeFolders } from "../storage/remove-folders.ts";
import { storagePath } from "../storage/storage-path.ts";
import type { Storage } from "../storage/storage.ts";
import type { UploadFile } from "./design-upload.service.ts";
import { mapLimit } from "../util/concurrency.ts";
import { storageUnavailable } from "../errors.ts";

/** A file of an async upload, kept in storage until its job has run. */
export interface StagedFile {
  name: string;
  size: number;
  path: string;
}

/** Files written at once while staging: enough to overlap fsyncs, few enough for a NAS pool. */
const STAGE_CONCURRENCY = 16;

/**
 * Async uploads keep their files in storage (`{shop}/incoming/{job}/{n}`) before the answer
 * goes out: the job may run in another process or on another machine, and must still have its
 * input after a crash. They are removed once the job has finished.
 */
export class UploadStaging {
  constructor(private readonly storage: Storage) {}

  /** Writes every file (atomically, durably) and returns where each one is. */
  async stage(shopSlug: string, jobId: string, files: UploadFile[]): Promise<StagedFile[]> {
    const folder = storagePath(shopSlug, "incoming", jobId);
    const staged = await mapLimit(files, STAGE_CONCURRENCY, async (f, i) => {
      const path = `${folder}/${i}`;
      await this.storage.put(path, await f.bytes());
      return { name: f.name, size: f.size, path };
    }).catch(async (err: unknown) => {
      await this.discard(files.map((_, i) => ({ name: "", size: 0, path: `${folder}/${i}` })));
      throw storageUnavailable(err, 30); // the driver's words (host, path) stay in the cause, for the log
    });
    return staged;
  }

  /** The staged files as upload files, each read from storage only when the pipeline asks. */
  open(staged: StagedFile[]): UploadFile[] {
    return staged.map((s) => ({
      name: s.name,
      size: s.size,
      bytes: async () => {
        try {
          const file = await this.storage.get(s.path);
          return new Uint8Array(await new Response(file.body).arrayBuffer());
        } catch (err) {
          // Reported per file as storage_unavailable, which makes the job try again later.
          throw storageUnavailable(err);
        }
      },
    }));
  }

  /** Removes staged files; missing ones are fine. */
  async discard(staged: StagedFile[]): Promise<void> {
    await mapLimit(staged, STAGE_CONCURRENCY, (s) => this.storage.delete(s.path).catch(() => {}));
    // The job's folder too: empty folders of finished jobs would pile up for years.
    await removeFolders(this.storage, staged.map((s) => s.path));
  }
}
