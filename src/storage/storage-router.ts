import { AppError } from "../errors.ts";
import type { Storage, StoredEntry, StoredObject } from "./storage.ts";

/**
 * The configured storage plus read access to the others a row may name. A row records the
 * driver its file was written with; after the shop adds a NAS, files stored locally before
 * must still be read (and deleted) from the local folder, not looked for on the NAS. Writes,
 * lists and checks always go to the primary.
 */
export class StorageRouter implements Storage {
  readonly driver: string;
  private readonly readers: ReadonlyMap<string, Storage>;

  constructor(
    readonly primary: Storage,
    others: readonly Storage[] = [],
  ) {
    this.driver = primary.driver;
    this.readers = new Map([...others.map((s) => [s.driver, s] as const), [primary.driver, primary]]);
  }

  put(path: string, data: Uint8Array): Promise<void> {
    return this.primary.put(path, data);
  }

  putFile(path: string, write: (localPath: string) => Promise<void>): Promise<void> {
    return this.primary.putFile(path, write);
  }

  get(path: string, writtenBy?: string): Promise<StoredObject> {
    return this.reader(writtenBy).get(path);
  }

  delete(path: string, writtenBy?: string): Promise<void> {
    return this.reader(writtenBy).delete(path);
  }

  removeEmptyFolder(path: string): Promise<void> {
    return this.primary.removeEmptyFolder(path);
  }

  exists(path: string): Promise<boolean> {
    return this.primary.exists(path);
  }

  list(prefix: string): Promise<StoredEntry[]> {
    return this.primary.list(prefix);
  }

  check(): Promise<void> {
    return this.primary.check();
  }

  async close(): Promise<void> {
    await Promise.all([...new Set(this.readers.values())].map((s) => s.close()));
  }

  private reader(writtenBy: string | undefined): Storage {
    const reader = this.readers.get(writtenBy ?? this.driver);
    if (reader) return reader;
    // E.g. rows from the NAS after its settings were removed: say so instead of a 404.
    throw new AppError(503, "storage_not_configured", "This file is kept on a storage this server is not configured for (the NAS settings may have been removed).", {
      headers: { "Retry-After": "60" },
    });
  }
}
