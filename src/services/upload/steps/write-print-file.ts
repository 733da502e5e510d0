import { makePrintFile, type PrintFile, type PrintSpec } from "../../../media/make-print-file.ts";
import type { Storage } from "../../../storage/storage.ts";
import type { WeightedSemaphore } from "../../../util/concurrency.ts";
import type { Inspected, Slots } from "../upload-steps.ts";

/**
 * Renders the print file into the driver's local temporary (libvips writes it, never whole in
 * memory: a 33 MB PNG rendered into a buffer costs about 87 MB) and stores it. The render slot
 * is held until a store slot is free, so finished print files waiting for a slow NAS stay
 * bounded (renders + stores), however many files the batch has. Storage failures come out as
 * StorageWriteError, image failures as they are.
 */
export async function writePrintFile(
  deps: { storage: Storage; pixels: WeightedSemaphore },
  f: Pick<Inspected, "bytes" | "header">,
  spec: PrintSpec,
  path: string,
  slots: Slots,
): Promise<{ print: PrintFile; sha256: string }> {
  const pixels = f.header.width * f.header.height;
  const releaseRender = await slots.renders.acquire(1);
  let releaseStore: (() => void) | undefined;
  let done: { print: PrintFile; sha256: string } | undefined;
  let imageError: unknown;
  try {
    await deps.storage.putFile(path, async (local) => {
      try {
        // The pixel budget bounds decoding memory across every upload in flight.
        const print = await deps.pixels.run(pixels, () => makePrintFile(f.bytes, f.header, spec, local));
        done = { print, sha256: await sha256OfFile(local) };
      } catch (err) {
        imageError = err;
        throw err;
      }
      releaseStore = await slots.stores.acquire(1);
      releaseRender();
    });
  } catch (err) {
    if (imageError !== undefined) throw imageError;
    throw new StorageWriteError(err);
  } finally {
    releaseRender();
    releaseStore?.();
  }
  return done!;
}

/** A write to storage failed (not the image): reported as storage_unavailable. */
export class StorageWriteError extends Error {
  constructor(cause: unknown) {
    super("storage write failed", { cause });
  }
}

/** SHA-256 of a file, read in chunks. */
async function sha256OfFile(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}
