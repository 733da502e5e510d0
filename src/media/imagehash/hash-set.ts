import { computeImageHashes, type ImageHashes } from "./image-hashes.ts";
import { decodeHashFrames } from "./visible-image.ts";

/**
 * The hashes of one image: the four ImageHash-compatible ones (`legacy`, comparable with the old
 * system's) and those of its visible image (see visible-image.ts); `visible` is null when the
 * image is opaque, whose visible hashes are the legacy ones.
 */
export interface HashSet {
  legacy: ImageHashes;
  visible: ImageHashes | null;
}

/** The hashes the duplicate decision between Atelier's own designs compares. */
export const visibleHashes = (s: HashSet): ImageHashes => s.visible ?? s.legacy;

/** Decodes once and hashes both frames; `frameBytes` is what the decoded frames held. */
export async function computeHashSet(bytes: Uint8Array): Promise<{ hashes: HashSet; frameBytes: number }> {
  const { legacy, visible } = await decodeHashFrames(bytes);
  return {
    hashes: {
      legacy: computeImageHashes(legacy.rgb, legacy.width, legacy.height),
      visible: visible && computeImageHashes(visible.rgb, visible.width, visible.height),
    },
    frameBytes: legacy.rgb.byteLength + (visible?.rgb.byteLength ?? 0),
  };
}
