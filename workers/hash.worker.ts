/**
 * Hash worker: image bytes → the four ImageHash-compatible hashes. Runs in its own Piscina
 * pool, apart from the renderer, so hashing never blocks the HTTP thread.
 */
import { decodeForHash } from "../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes, type ImageHashes } from "../src/media/imagehash/image-hashes.ts";

/** Piscina calls the default export with the task: the bytes, moved (not copied) in. */
export default async function hashImage(bytes: ArrayBuffer): Promise<ImageHashes> {
  const { rgb, width, height } = await decodeForHash(new Uint8Array(bytes));
  return computeImageHashes(rgb, width, height);
}
