/**
 * Hash worker: image bytes → the four ImageHash-compatible hashes and those of the visible image
 * (see src/media/imagehash/visible-image.ts), from one decode. Runs in its own Piscina
 * pool, apart from the renderer, so hashing never blocks the HTTP thread.
 */
import sharp from "sharp";
import { computeHashSet, type HashSet } from "../src/media/imagehash/hash-set.ts";
import { MemoryReclaimer } from "../src/util/reclaim-memory.ts";

// Decoded frames are large and outside the JS heap: collect after every 8 MB of them, so even
// one photo's frame (25 MB at 8 MP) is not kept until the next upload. A collection here costs
// a few ms next to the 100+ ms of a hash.
const reclaimer = new MemoryReclaimer(8 * 1024 * 1024);
// libvips' operation cache is process-wide; a full-size frame decoded for hashing is never
// asked for again, so caching it only holds memory (measured: about 50 MB less peak RSS).
sharp.cache(false);

/** Piscina calls the default export with the task: the bytes, moved (not copied) in. */
export default async function hashImage(bytes: ArrayBuffer): Promise<HashSet> {
  const { hashes, frameBytes } = await computeHashSet(new Uint8Array(bytes));
  // The frames are unreachable once computeHashSet returns, so this collection frees it too,
  // not just the frames before it (a full-size frame is 48 MB for a 16 MP photo).
  reclaimer.release(frameBytes + bytes.byteLength);
  return hashes;
}

/** Print-area detection shares this pool (Piscina calls it by name): pixel work, off the HTTP thread. */
export { detectPhotoPrintAreas as detectPrintAreas } from "../src/media/detect/detect-photo.ts";
