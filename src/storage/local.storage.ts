import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile, open } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { assertSafeRelativePath } from "./storage-path.ts";
import { StorageNotFoundError, type Storage, type StoredEntry, type StoredObject } from "./storage.ts";

/** Stores files in a local directory, atomically (temporary name + fsync + rename). */
export class LocalStorage implements Storage {
  readonly driver = "local";
  private readonly knownDirs = new Set<string>();

  constructor(readonly root: string) {}

  private resolve(path: string): string {
    return join(this.root, ...assertSafeRelativePath(path));
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    await this.putFile(path, async (temp) => {
      const handle = await open(temp, "wx");
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    });
  }

  async putFile(path: string, write: (localPath: string) => Promise<void>): Promise<void> {
    const target = this.resolve(path);
    const dir = dirname(target);
    if (!this.knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.knownDirs.add(dir);
    }
    // Hidden temporary name in the same folder, so the rename is atomic.
    const temp = join(dir, `.tmp-${randomBytes(6).toString("hex")}`);
    try {
      await write(temp);
      const handle = await open(temp, "r+");
      try {
        await handle.sync(); // never lose a file: on disk before it is visible
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      if ((err as NodeJS.ErrnoException).code === "ENOENT") this.knownDirs.delete(dir);
      throw err;
    }
  }

  async get(path: string): Promise<StoredObject> {
    const file = Bun.file(this.resolve(path));
    if (!(await file.exists())) throw new StorageNotFoundError(path);
    return { size: file.size, body: file.stream() };
  }

  async delete(path: string): Promise<void> {
    await rm(this.resolve(path), { force: true });
  }

  async removeEmptyFolder(path: string): Promise<void> {
    const dir = this.resolve(path);
    this.knownDirs.delete(dir); // a later put into it creates it again
    await rmdir(dir).catch(() => {}); // ENOTEMPTY, ENOENT: nothing to do
  }

  async exists(path: string): Promise<boolean> {
    return stat(this.resolve(path)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async list(prefix: string): Promise<StoredEntry[]> {
    const base = prefix ? this.resolve(prefix) : this.root;
    const names = await readdir(base, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [] as string[];
      throw err;
    });
    const entries = await Promise.all(
      names.map(async (name) => {
        const s = await stat(join(base, name)).catch(() => undefined); // gone meanwhile
        return s?.isFile() ? { path: [prefix, name.split(sep).join("/")].filter(Boolean).join("/"), size: s.size, modifiedMs: s.mtimeMs } : undefined;
      }),
    );
    return entries.filter((e): e is StoredEntry => e !== undefined);
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const probe = join(this.root, `.health-${randomBytes(4).toString("hex")}`);
    await writeFile(probe, "ok");
    await rm(probe, { force: true });
  }

  async close(): Promise<void> {}
}
