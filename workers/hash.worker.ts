/**
 * Hash worker: image bytes → the four ImageHash-compatible hashes. Runs in its own Piscina
 * pool, apart from the renderer, so hashing never blocks the HTTP thread.
 */
import { decodeForHash } from "../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes, type ImageHashes } from "../src/media/imagehash/image-hashes.ts";
import { MemoryReclaimer } from "../src/util/reclaim-memory.ts";

// Decoded frames are large and outside the JS heap: collect after every 64 MB of them.
const reclaimer = new MemoryReclaimer(64 * 1024 * 1024);

/** Piscina calls the default export with the task: the bytes, moved (not copied) in. */
export default async function hashImage(bytes: ArrayBuffer): Promise<ImageHashes> {
  const { rgb, width, height } = await decodeForHash(new Uint8Array(bytes));
  const hashes = computeImageHashes(rgb, width, height);
  reclaimer.release(rgb.byteLength + bytes.byteLength);
  return hashes;
}
