/**
 * Hash worker: image bytes → the four ImageHash-compatible hashes. Runs in its own Piscina
 * pool, apart from the renderer, so hashing never blocks the HTTP thread.
 */
import sharp from "sharp";
import { decodeForHash } from "../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes, type ImageHashes } from "../src/media/imagehash/image-hashes.ts";
import { MemoryReclaimer } from "../src/util/reclaim-memory.ts";

// Decoded frames are large and outside the JS heap: collect after every 32 MB of them.
const reclaimer = new MemoryReclaimer(32 * 1024 * 1024);
// libvips' operation cache is process-wide; a full-size frame decoded for hashing is never
// asked for again, so caching it only holds memory (measured: about 50 MB less peak RSS).
sharp.cache(false);

/** Piscina calls the default export with the task: the bytes, moved (not copied) in. */
export default async function hashImage(bytes: ArrayBuffer): Promise<ImageHashes> {
  const { rgb, width, height } = await decodeForHash(new Uint8Array(bytes));
  const hashes = computeImageHashes(rgb, width, height);
  reclaimer.release(rgb.byteLength + bytes.byteLength);
  return hashes;
}
