import { notFound, toAppError } from "../errors.ts";
import { imageErrors } from "../media/image-errors.ts";
import { decodeForHash } from "../media/imagehash/decode-for-hash.ts";
import { computeImageHashes, type ImageHashes } from "../media/imagehash/image-hashes.ts";
import { readImageHeader } from "../media/read-image-header.ts";

/** One line of `cli hash`: the four hashes of a file, or why it has none. */
export type FileHashLine =
  | ({ file: string } & ImageHashes)
  | { file: string; error: { code: string; message: string } };

/** Hashes one file as an upload would (same checks first), for the CLI. */
export async function hashFile(path: string, maxPixels: number): Promise<FileHashLine> {
  try {
    const file = Bun.file(path);
    if (!(await file.exists())) return { file: path, error: notFound("File").toJSON() };
    const bytes = await file.bytes();
    await readImageHeader(bytes, maxPixels);
    const { rgb, width, height } = await decodeForHash(bytes);
    return { file: path, ...computeImageHashes(rgb, width, height) };
  } catch (err) {
    const app = toAppError(err);
    // What the decoder refused is the file's fault; its words name nothing but the operator's own file.
    const error = app.unexpected ? imageErrors.corruptImage(err instanceof Error ? err.message : String(err)) : app;
    return { file: path, error: error.toJSON() };
  }
}
