import {
  MaxFileSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseMultipartRequest,
} from "@remix-run/multipart-parser";
import type { Context } from "hono";
import { badRequest, payloadTooLarge } from "../errors.ts";
import type { AppEnv } from "./app-env.ts";

/** A file part: its field, file name and bytes (the body's own chunks, not a second copy). */
export interface StreamedFile {
  field: string;
  name: string;
  bytes: Uint8Array;
}

/** What a form may hold; the read stops at the first limit passed. */
export interface StreamedFormLimits {
  /** All parts together. */
  maxBytes: number;
  maxParts: number;
  /** One text field; a longer one is 400 `field_too_large`, not dropped. */
  maxTextBytes: number;
}

/**
 * Reads a multipart/form-data body as it streams (unlike `Request.formData()`, which buffers
 * the whole body and copies it): files and text fields by name, refused at the first limit.
 * For small forms of a few files (templates, mockup artwork); design uploads have their own reader.
 */
export async function readStreamedForm(
  c: Context<AppEnv>,
  limits: StreamedFormLimits,
): Promise<{ files: StreamedFile[]; text: Map<string, string[]> }> {
  const files: StreamedFile[] = [];
  const text = new Map<string, string[]>();
  try {
    const parts = parseMultipartRequest(c.req.raw, { maxFileSize: limits.maxBytes, maxTotalSize: limits.maxBytes, maxParts: limits.maxParts });
    for await (const part of parts) {
      if (!part.name) continue;
      if (part.isFile) {
        files.push({ field: part.name, name: part.filename || "unnamed", bytes: part.bytes });
        continue;
      }
      if (part.size > limits.maxTextBytes) {
        throw badRequest("field_too_large", `The field "${part.name}" has more than ${limits.maxTextBytes} bytes.`);
      }
      text.set(part.name, [...(text.get(part.name) ?? []), part.text]);
    }
  } catch (err) {
    if (err instanceof MaxTotalSizeExceededError || err instanceof MaxFileSizeExceededError) throw payloadTooLarge(limits.maxBytes);
    if (err instanceof MaxPartsExceededError) throw badRequest("too_many_parts", `At most ${limits.maxParts} fields and files in one form.`);
    if (err instanceof MultipartParseError) throw badRequest("invalid_multipart", "The multipart body could not be parsed.");
    throw err;
  }
  return { files, text };
}
