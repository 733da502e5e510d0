/** A stored file being read: its size and its bytes as a stream. */
export interface StoredObject {
  size: number;
  body: ReadableStream<Uint8Array>;
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
   * Optional, for drivers with local files: stores what `write` writes at the local path it is
   * given (the driver's atomic temporary name), so a producer that can write files (libvips)
   * never holds the whole file in memory. Atomic like put; the temporary is removed on failure.
   */
  putFile?(path: string, write: (localPath: string) => Promise<void>): Promise<void>;
  /** Throws `StorageNotFoundError` when there is no such file. */
  get(path: string): Promise<StoredObject>;
  /** Deleting a missing file is not an error. */
  delete(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Resolves when the storage can be written right now; throws otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The file asked for is not in storage. */
export class StorageNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`No stored file at ${path}`);
    this.name = "StorageNotFoundError";
  }
}

/** The storage could not be reached, even after retrying; the operation may succeed later. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StorageUnavailableError";
  }
}
