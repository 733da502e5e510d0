import { AppError } from "../errors.ts";

/** A stored file being read: its size and its bytes as a stream. */
export interface StoredObject {
  size: number;
  body: ReadableStream<Uint8Array>;
}

/** A file `list` found: its path (relative, like every path here), size and last change. */
export interface StoredEntry {
  path: string;
  size: number;
  modifiedMs: number;
}

/**
 * Where print files live. Paths are relative, `/`-separated and already sanitised
 * (see `storage-path.ts`); drivers resolve them under their own root.
 */
export interface Storage {
  /** Recorded with each row so the database says where the file lives. */
  readonly driver: string;
  /** Writes atomically: readers see the whole file or none. */
  put(path: string, data: Uint8Array): Promise<void>;
  /**
   * Stores what `write` writes at the local path it is given, atomically like put; the temporary
   * is removed whatever happens. A driver with local files gives its own temporary name, so a
   * producer that can write files (libvips) never holds the whole file in memory; others buffer.
   */
  putFile(path: string, write: (localPath: string) => Promise<void>): Promise<void>;
  /**
   * Throws `StorageNotFoundError` when there is no such file. `writtenBy` is the driver a row
   * recorded for its file; the router (storage-router.ts) reads through that driver, plain
   * drivers ignore it.
   */
  get(path: string, writtenBy?: string): Promise<StoredObject>;
  /** Deleting a missing file is not an error. `writtenBy` as for `get`. */
  delete(path: string, writtenBy?: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Removes the folder `path` if it is empty (staging folders of finished jobs); a missing or non-empty one stays. */
  removeEmptyFolder(path: string): Promise<void>;
  /** Every file under the folder `prefix` ("" for all), at any depth; none when it does not exist. For sweeps and reports. */
  list(prefix: string): Promise<StoredEntry[]>;
  /** Resolves when the storage can be written right now; throws otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The file asked for is not in storage. A 404 to clients; the path stays in the log. */
export class StorageNotFoundError extends AppError {
  constructor(readonly path: string) {
    super(404, "not_found", "The file is not stored (any more).", { retryable: false });
    this.name = "StorageNotFoundError";
  }
}

/**
 * The storage could not be reached, even after retrying; the operation may succeed later. A 503
 * `storage_unavailable` to clients with a message that names no host or path; `detail` (the
 * driver's own words) goes to the log only.
 */
export class StorageUnavailableError extends AppError {
  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(503, "storage_unavailable", "The file storage cannot be reached right now. Try again in a moment.", {
      headers: { "Retry-After": "10" },
      cause: options?.cause,
    });
    this.name = "StorageUnavailableError";
  }
}
