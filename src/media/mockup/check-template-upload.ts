import sharp from "sharp";
import { AppError, badRequest, fileRejected } from "../../errors.ts";
import { imageErrors } from "../image-errors.ts";
import { describeSharpError, readImageHeader } from "../read-image-header.ts";
import { sanitizeSegment } from "../../storage/storage-path.ts";
import { overRenderBudget } from "./render-cost.ts";
import { manifestFiles, parseTemplateManifest, type TemplateManifest } from "./template-manifest.ts";
import { renderTemplatePreview } from "./template-preview.ts";

/** An uploaded file: the name it was sent with and its bytes. */
export interface NamedFile {
  name: string;
  bytes: Uint8Array;
}

/** What a seller sends to add a template: the manifest (parsed JSON), background, other files. */
export interface TemplateUpload {
  manifest: unknown;
  background: NamedFile | undefined;
  /** Masks, displacement maps, overlays, the colourway mask: matched by file name as the manifest names them. */
  masks: NamedFile[];
  /** The manifest's `sample` artwork, when it names one. */
  sample?: NamedFile;
}

/** A template ready to store: its manifest, every file by manifest name, and its preview. */
export interface CheckedTemplate {
  manifest: TemplateManifest;
  files: Map<string, Uint8Array>;
  preview: Buffer;
}

/**
 * Checks a template upload completely before anything is stored: the manifest (every problem
 * listed), each file present, decodable, within the pixel limit and of the manifest's size.
 * `reservedName` is a file name the storage folder keeps for itself.
 */
export async function checkTemplateUpload(
  upload: TemplateUpload,
  limits: { maxPixels: number; maxRenderBytes: number },
  reservedName: string,
): Promise<CheckedTemplate> {
  const parsed = parseTemplateManifest(upload.manifest);
  if (!parsed.ok) {
    throw badRequest("invalid_manifest", `The manifest has problems: ${parsed.problems.join("; ")}`, { problems: parsed.problems });
  }
  const m = parsed.manifest;
  // Judged from the manifest, before any file is decoded: one shop's huge template must not cost every shop its renderer.
  const tooLarge = overRenderBudget(m, limits.maxRenderBytes);
  if (tooLarge) throw tooLarge;
  if (!upload.background) throw badRequest("missing_background", `Attach the background image "${m.background}" as the file field "background".`);
  const masksByName = new Map(upload.masks.map((f) => [f.name, f.bytes]));
  const others = manifestFiles(m);
  // One file cannot be both the photo and a mask or overlay (the second use would silently read the photo).
  if (others.some((f) => f.name === m.background)) {
    throw badRequest("invalid_manifest", `The background and the other files (masks, maps, overlays) must have different names; "${m.background}" is named as both.`);
  }
  const maskNames = others.map((f) => f.name);
  const missing = maskNames.filter((n) => !masksByName.has(n));
  if (missing.length) {
    throw badRequest("missing_mask", `Attach the file(s) ${missing.map((n) => `"${n}"`).join(", ")} in the field "masks" (or "files"), named as in the manifest.`, { missing });
  }
  if (m.sample && !upload.sample) throw badRequest("missing_sample", `Attach the sample artwork "${m.sample}" as the file field "sample".`);
  // Stored names are sanitised; two names that sanitise alike would overwrite each other.
  const names = [m.background, ...maskNames, ...(m.sample ? [m.sample] : [])];
  const stored = names.map((n) => sanitizeSegment(n));
  if (new Set(stored).size !== names.length || stored.includes(reservedName)) {
    throw badRequest("invalid_manifest", `The background, mask, map and overlay file names must differ from each other and from "${reservedName}".`);
  }

  const files = new Map<string, Uint8Array>([[m.background, upload.background.bytes]]);
  for (const n of maskNames) files.set(n, masksByName.get(n)!);
  const problems: string[] = [];
  for (const [name, bytes] of files) {
    const what = name === m.background ? `background "${name}"` : `${others.find((f) => f.name === name)?.role ?? "file"} "${name}"`;
    const header = await readImageHeader(bytes, limits.maxPixels).catch((err: unknown) => {
      if (err instanceof AppError) throw fileRejected(err.code, `${what}: ${err.message}`);
      throw err;
    });
    if (header.width !== m.width || header.height !== m.height) {
      problems.push(`${what} is ${header.width}×${header.height}, the manifest says ${m.width}×${m.height}`);
    }
  }
  // Decoding every pixel now finds damaged files before a mockup does (and before their size
  // is blamed); the preview is that decode.
  const preview = await renderTemplatePreview(upload.background.bytes, m).catch((err: unknown) => {
    throw fileRejected("corrupt_image", `background "${m.background}": ${imageErrors.corruptImage(describeSharpError(err)).message}`);
  });
  for (const f of others) {
    const decode = sharp(files.get(f.name)!, { failOn: "warning" });
    await (f.kind === "grey" ? decode.extractChannel(0) : decode.ensureAlpha()).resize(64).raw().toBuffer().catch((err: unknown) => {
      throw fileRejected("corrupt_image", `${f.role} "${f.name}": ${imageErrors.corruptImage(describeSharpError(err)).message}`);
    });
  }
  if (m.sample && upload.sample) {
    // Any size: it is artwork, fitted like a design; decoded in full so a damaged one is refused now.
    await readImageHeader(upload.sample.bytes, limits.maxPixels).catch((err: unknown) => {
      if (err instanceof AppError) throw fileRejected(err.code, `sample "${m.sample}": ${err.message}`);
      throw err;
    });
    await sharp(upload.sample.bytes, { failOn: "warning" }).resize(64).raw().toBuffer().catch((err: unknown) => {
      throw fileRejected("corrupt_image", `sample "${m.sample}": ${imageErrors.corruptImage(describeSharpError(err)).message}`);
    });
    files.set(m.sample, upload.sample.bytes);
  }
  if (problems.length) throw new AppError(422, "template_size_mismatch", problems.join("; "), { details: { problems } });
  return { manifest: m, files, preview };
}
