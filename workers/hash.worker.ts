/**
 * Hash worker: image bytes → the four ImageHash-compatible hashes. Runs in its own Piscina
 * pool, apart from the renderer, so hashing never blocks the HTTP thread.
 */
import sharp from "sharp";
import { decodeForHash } from "../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes, type ImageHashes } from "../src/media/imagehash/image-hashes.ts";
import { MemoryReclaimer } from "../src/util/reclaim-memory.ts";

// Decoded frames are large and outside the JS heap: collect after every 8 MB of them, so even
// one photo's frame (25 MB at 8 MP) is not kept until the next upload. A collection here costs
// a few ms next to the 100+ ms of a hash.
const reclaimer = new MemoryReclaimer(8 * 1024 * 1024);
// libvips' operation cache is process-wide; a full-size frame decoded for hashing is never
// asked for again, so caching it only holds memory (measured: about 50 MB less peak RSS).
sharp.cache(false);

/** Piscina calls the default export with the task: the bytes, moved (not copied) in. */
export default async function hashImage(bytes: ArrayBuffer): Promise<ImageHashes> {
  const { hashes, frameBytes } = await decodeAndHash(new Uint8Array(bytes));
  // The frame is unreachable once decodeAndHash returns, so this collection frees it too,
  // not just the frames before it (a full-size frame is 48 MB for a 16 MP photo).
  reclaimer.release(frameBytes + bytes.byteLength);
  return hashes;
}

async function decodeAndHash(bytes: Uint8Array): Promise<{ hashes: ImageHashes; frameBytes: number }> {
  const { rgb, width, height } = await decodeForHash(bytes);
  return { hashes: computeImageHashes(rgb, width, height), frameBytes: rgb.byteLength };
}

/** Print-area detection shares this pool (Piscina calls it by name): pixel work, off the HTTP thread. */
export { detectPhotoPrintAreas as detectPrintAreas } from "../src/media/detect/detect-photo.ts";
