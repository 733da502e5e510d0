import { z } from "zod";
import { isReservedFolder } from "../storage/storage-path.ts";

/** A product's name: also its storage folder, beside the system ones (staging, templates, mockups). */
export const productName = z
  .string()
  .trim()
  .min(1, "product must not be empty")
  .max(100, "product has at most 100 characters")
  .refine((p) => !isReservedFolder(p), "product names a system folder (incoming, templates, mockups); choose another name");
