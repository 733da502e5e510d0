import type { Context } from "hono";
import { z } from "zod";
import { AppError, badRequest } from "../errors.ts";
import type { UploadFile } from "../services/design-upload.service.ts";
import { DESIGN_KINDS } from "../types.ts";
import type { AppEnv } from "./app-env.ts";

const fieldsSchema = z.object({
  kind: z.enum(DESIGN_KINDS, { error: "kind must be \"physical\" or \"digital\"" }).default("physical"),
  product: z
    .string()
    .trim()
    .min(1, "product must not be empty")
    .max(100, "product has at most 100 characters")
    .default("default"),
});

export type UploadFields = z.infer<typeof fieldsSchema>;

/** Parses a design upload form: `files` (1..maxFiles), `kind`, `product`. */
export async function readUploadForm(
  c: Context<AppEnv>,
  maxFiles: number,
): Promise<{ files: UploadFile[]; fields: UploadFields }> {
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw badRequest("expected_multipart", "Send the files as multipart/form-data in the field \"files\".");
  }
  let form: Awaited<ReturnType<Request["formData"]>>;
  try {
    form = await c.req.raw.formData();
  } catch (err) {
    // The body limit aborts the read with its own error (413); let that one through.
    if (err instanceof AppError) throw err;
    throw badRequest("invalid_multipart", "The multipart body could not be parsed.");
  }
  const entries = form.getAll("files");
  const files = entries.filter((e) => typeof e !== "string");
  if (files.length !== entries.length) {
    throw badRequest("invalid_files", "Every \"files\" entry must be a file, not a text field.");
  }
  if (files.length === 0) throw badRequest("no_files", "Attach at least one file in the field \"files\".");
  if (files.length > maxFiles) {
    throw badRequest("too_many_files", `At most ${maxFiles} files per upload; this one has ${files.length}.`);
  }
  const parsed = fieldsSchema.safeParse({
    kind: textField(form, "kind"),
    product: textField(form, "product"),
  });
  if (!parsed.success) {
    throw badRequest("invalid_fields", parsed.error.issues.map((i) => i.message).join("; "));
  }
  return {
    files: files.map((f) => ({ name: f.name || "unnamed", size: f.size, bytes: () => f.bytes() })),
    fields: parsed.data,
  };
}

function textField(form: { get(name: string): unknown }, name: string): string | undefined {
  const v = form.get(name);
  return typeof v === "string" && v !== "" ? v : undefined;
}
