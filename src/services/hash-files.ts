import { notFound, toAppError } from "../errors.ts";
import { imageErrors } from "../media/image-errors.ts";
import { computeHashSet } from "../media/imagehash/hash-set.ts";
import type { ImageHashes } from "../media/imagehash/image-hashes.ts";
import { readImageHeader } from "../media/read-image-header.ts";

/**
 * One line of `cli hash`: the four ImageHash-compatible hashes of a file at the top (as the old
 * system made them, what `import-hashes` takes), and under `visible` those of its visible image,
 * which duplicates between Atelier's designs are judged by (`transparent: false`: the image is
 * opaque and they are the same four) — or why the file has none.
 */
export type FileHashLine =
  | ({ file: string } & ImageHashes & { visible: ImageHashes & { transparent: boolean } })
  | { file: string; error: { code: string; message: string } };

/** Hashes one file as an upload would (same checks first), for the CLI. */
export async function hashFile(path: string, maxPixels: number): Promise<FileHashLine> {
  try {
    const file = Bun.file(path);
    if (!(await file.exists())) return { file: path, error: notFound("File").toJSON() };
    const bytes = await file.bytes();
    await readImageHeader(bytes, maxPixels);
    // What the hash worker does for an upload: one decode, both frames.
    const { hashes } = await computeHashSet(bytes);
    return { file: path, ...hashes.legacy, visible: { ...(hashes.visible ?? hashes.legacy), transparent: hashes.visible !== null } };
  } catch (err) {
    const app = toAppError(err);
    // What the decoder refused is the file's fault; its words name nothing but the operator's own file.
    const error = app.unexpected ? imageErrors.corruptImage(err instanceof Error ? err.message : String(err)) : app;
    return { file: path, error: error.toJSON() };
  }
}
