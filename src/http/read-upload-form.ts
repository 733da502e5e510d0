import {
  MaxFileSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseMultipartRequest,
} from "@remix-run/multipart-parser";
import type { Context } from "hono";
import { z } from "zod";
import { badRequest, payloadTooLarge } from "../errors.ts";
import { JOB_PRIORITIES } from "../jobs/job-types.ts";
import type { UploadFile } from "../services/design-upload.service.ts";
import { DESIGN_KINDS, ON_DUPLICATE } from "../types.ts";
import type { AppEnv } from "./app-env.ts";
import { productName } from "./product-name.ts";
import { parseInput } from "./validate-request.ts";

export const fieldsSchema = z.object({
  kind: z.enum(DESIGN_KINDS, { error: "kind must be \"physical\" or \"digital\"" }).default("physical"),
  product: productName.default("default"),
  /** Answer 202 with a job at once instead of the result when done. */
  async: z.enum(["true", "false"], { error: "async must be \"true\" or \"false\"" }).default("false").transform((v) => v === "true"),
  priority: z.enum(JOB_PRIORITIES).default("normal"),
  onDuplicate: z.enum(ON_DUPLICATE, { error: "onDuplicate must be \"skip\", \"keep\" or \"add-product\"" }).default("skip"),
});

export type UploadFields = z.infer<typeof fieldsSchema>;

/** Text fields beside the files: more than this many, or one longer than MAX_TEXT_BYTES, is a 400. */
const MAX_TEXT_PARTS = 20;
const MAX_TEXT_BYTES = 4096;
/** Control characters (NUL included) never reach a file name: storage paths and rows drop them alike. */
const CONTROL = /[\p{Cc}\p{Cf}]/gu;

/**
 * Parses a design upload form (`files` 1..maxFiles, `kind`, `product`) from the body stream.
 * Each file keeps the body's own chunks (no second copy of the request, unlike
 * `Request.formData()`), and the read stops at the first limit passed.
 */
export async function readUploadForm(
  c: Context<AppEnv>,
  limits: { maxFiles: number; maxBytes: number },
): Promise<{ files: UploadFile[]; fields: UploadFields }> {
  const type = c.req.header("content-type") ?? "";
  if (!/^multipart\/form-data\s*;.*boundary=/i.test(type)) {
    throw badRequest("expected_multipart", "Send the files as multipart/form-data in the field \"files\".");
  }
  const files: UploadFile[] = [];
  const text: Record<string, string> = {};
  try {
    const parts = parseMultipartRequest(c.req.raw, {
      maxFileSize: limits.maxBytes,
      maxTotalSize: limits.maxBytes,
      // One more of each than allowed, so passing either limit is seen here and named by its own code.
      maxParts: limits.maxFiles + MAX_TEXT_PARTS + 2,
    });
    let textParts = 0;
    for await (const part of parts) {
      if (part.name === "files") {
        if (!part.isFile) throw badRequest("invalid_files", "Every \"files\" entry must be a file, not a text field.");
        if (files.length === limits.maxFiles) throw tooManyFiles(limits.maxFiles);
        const filename = part.filename?.replace(CONTROL, "") || "unnamed";
        // The part (and its chunks) is let go once the pipeline is done with the file.
        let held: { readonly bytes: Uint8Array } | undefined = part;
        files.push({
          name: filename,
          size: part.size,
          bytes: async () => {
            if (!held) throw new Error(`the bytes of ${filename} were already released`);
            return held.bytes;
          },
          release: () => {
            held = undefined;
          },
        });
      } else if (!part.isFile && part.name) {
        if (++textParts > MAX_TEXT_PARTS) throw badRequest("invalid_fields", `At most ${MAX_TEXT_PARTS} text fields per upload.`);
        if (part.size > MAX_TEXT_BYTES) throw badRequest("invalid_fields", `Invalid request: body.${part.name.replace(CONTROL, "").slice(0, 100)}: at most ${MAX_TEXT_BYTES} bytes`);
        text[part.name] = part.text;
      }
    }
  } catch (err) {
    if (err instanceof MaxTotalSizeExceededError || err instanceof MaxFileSizeExceededError) throw payloadTooLarge(limits.maxBytes);
    // Reached only by parts counted as neither (unnamed, or files under another name).
    if (err instanceof MaxPartsExceededError) throw tooManyFiles(limits.maxFiles);
    if (err instanceof MultipartParseError) throw badRequest("invalid_multipart", "The multipart body could not be parsed.");
    throw err;
  }
  if (files.length === 0) throw badRequest("no_files", "Attach at least one file in the field \"files\".");
  const fields = parseInput(
    fieldsSchema,
    { kind: text.kind || undefined, product: text.product || undefined, async: text.async || undefined, priority: text.priority || undefined, onDuplicate: text.onDuplicate || undefined },
    "form",
  );
  return { files, fields };
}

const tooManyFiles = (max: number) => badRequest("too_many_files", `At most ${max} files per upload.`);
