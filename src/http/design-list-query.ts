import { z } from "zod";
import { DESIGN_KINDS } from "../types.ts";
import { TAG_PATTERN } from "../services/design-tags.ts";

const yesNo = z.enum(["true", "false"]).transform((v) => v === "true");
// A day (the whole day, in UTC) or an instant.
const when = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** GET /api/designs: page, filters and search. */
export const designListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  kind: z.enum(DESIGN_KINDS).optional(),
  product: z.string().max(100).optional(),
  /** Words each found in the file name or equal to a tag. */
  q: z.string().max(200).optional(),
  /** Tags the design must have; repeated or comma-separated. */
  tag: z.union([z.string(), z.array(z.string())]).optional()
    .transform((v) => (v === undefined ? [] : [v].flat().flatMap((t) => t.split(","))).map((t) => t.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(TAG_PATTERN, "a tag is 1–50 letters, digits, spaces, - _ . or &")).max(10)),
  from: when.optional(),
  to: when.optional(),
  hasMockups: yesNo.optional(),
  onEtsy: yesNo.optional(),
});

