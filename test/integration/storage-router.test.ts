import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageRouter } from "../../src/storage/storage-router.ts";
import { LocalStorage } from "../../src/storage/local.storage.ts";
import { StorageNotFoundError, type Storage, type StoredEntry, type StoredObject } from "../../src/storage/storage.ts";
import { fixture, makeTestApp } from "../support/test-app.ts";

type Created = { created: Array<{ id: string; storageDriver: string; storagePath: string }> };

/** A NAS stand-in held in memory: what matters here is only its driver name and where files land. */
class MemoryNas implements Storage {
  readonly driver = "sftp";
  readonly files = new Map<string, Uint8Array>();
  async put(path: string, data: Uint8Array) {
    this.files.set(path, data.slice());
  }
  async putFile(path: string, write: (localPath: string) => Promise<void>) {
    const dir = mkdtempSync(join(tmpdir(), "atelier-memory-nas-"));
    try {
      await write(join(dir, "file"));
      this.files.set(path, new Uint8Array(await Bun.file(join(dir, "file")).arrayBuffer()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  async get(path: string): Promise<StoredObject> {
    const data = this.files.get(path);
    if (!data) throw new StorageNotFoundError(path);
    return { size: data.length, body: new Response(data).body! };
  }
  async delete(path: string) {
    this.files.delete(path);
  }
  async removeEmptyFolder() {}
  async exists(path: string) {
    return this.files.has(path);
  }
  async list(): Promise<StoredEntry[]> {
    return [];
  }
  async check() {}
  async close() {}
}

test("after a NAS is added, designs stored locally before are still read from the local folder; new ones go to the NAS", async () => {
  const before = await makeTestApp();
  const res = await before.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]], { product: "poster" });
  expect(res.status).toBe(200);
  const [old] = ((await res.json()) as Created).created;
  expect(old!.storageDriver).toBe("local");
  const oldFile = await (await before.request(`/api/designs/${old!.id}/file`)).arrayBuffer();

  const nas = new MemoryNas();
  const after = await makeTestApp({ storage: () => new StorageRouter(nas, [new LocalStorage(before.config.storageDir)]) });
  const read = await after.request(`/api/designs/${old!.id}/file`, undefined, before.token);
  expect(read.status).toBe(200);
  expect(new Uint8Array(await read.arrayBuffer())).toEqual(new Uint8Array(oldFile));
  expect((await after.request(`/api/designs/${old!.id}/thumbnail`, undefined, before.token)).status).toBe(200);
  expect(nas.files.size).toBe(0); // nothing of the old design was looked for or copied on the NAS

  const fresh = await after.upload([["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")]], { product: "poster" }, before.token);
  const [made] = ((await fresh.json()) as Created).created;
  expect(made!.storageDriver).toBe("sftp");
  expect(nas.files.has(made!.storagePath)).toBe(true);
  expect((await after.request(`/api/designs/${made!.id}/file`, undefined, before.token)).status).toBe(200);
});

test("a row stored on a storage this server is not configured for answers 503 storage_not_configured, not 404 or 500", async () => {
  const nas = new MemoryNas();
  const withNas = await makeTestApp({ storage: (local) => new StorageRouter(nas, [local]) });
  const res = await withNas.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]], { product: "poster" });
  const [design] = ((await res.json()) as Created).created;
  expect(design!.storageDriver).toBe("sftp");

  const localOnly = await makeTestApp({ storage: (local) => new StorageRouter(local) });
  const read = await localOnly.request(`/api/designs/${design!.id}/file`, undefined, withNas.token);
  expect(read.status).toBe(503);
  expect(read.headers.get("retry-after")).toBeTruthy();
  expect(((await read.json()) as { error: { code: string } }).error.code).toBe("storage_not_configured");
});
