import { AppError } from "../../../errors.ts";
import type { Logger } from "../../../logger.ts";
import type { HashSet } from "../../../media/imagehash/hash-set.ts";
import { imageErrors } from "../../../media/image-errors.ts";
import { readImageHeader } from "../../../media/read-image-header.ts";
import type { UploadFile, UploadSettings } from "../../design-upload.service.ts";
import { hashFields } from "../../duplicate-finder.ts";
import { stepTimer } from "../step-timer.ts";
import type { Inspected } from "../upload-steps.ts";

/**
 * The inspect and hash steps: read the file, sniff it, check its header (before any pixel is
 * decoded), then hash it. Throws the file's rejection.
 */
export async function inspectFile(
  file: UploadFile,
  index: number,
  deps: { settings: Pick<UploadSettings, "maxInputPixels" | "sourceShape">; hash(bytes: Uint8Array): Promise<HashSet> },
  log: Logger,
): Promise<Inspected> {
  const timer = stepTimer();
  const bytes = await file.bytes();
  const header = await readImageHeader(bytes, deps.settings.maxInputPixels, deps.settings.sourceShape);
  const inspectMs = timer.lap();
  const sourceSha256 = sha256Hex(bytes);
  const hashes = await deps.hash(bytes).catch((err: unknown) => {
    if (err instanceof AppError) throw err;
    log.warn("hashing failed", { file: file.name, err });
    throw imageErrors.corruptImage("the hash decoder could not read it");
  });
  return {
    index,
    filename: file.name,
    bytes,
    header,
    sourceSha256,
    ...hashFields(hashes),
    source: { width: header.width, height: header.height, format: header.format },
    hashId: Bun.randomUUIDv7(),
    inspectMs,
    hashMs: timer.lap(),
  };
}

export function sha256Hex(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}
