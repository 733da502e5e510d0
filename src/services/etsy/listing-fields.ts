import { z } from "zod";
import { JOB_PRIORITIES } from "../../jobs/job-types.ts";
import { MAX_ALT_TEXT, MAX_LISTING_IMAGES } from "./etsy-publish.job.ts";

/** Etsy's documented limits for a listing's fields. */
export const ETSY_LIMITS = {
  titleChars: 140,
  descriptionChars: 50_000,
  tags: 13,
  tagChars: 20,
  materials: 13,
  materialChars: 45,
  minPrice: 0.2,
  maxPrice: 50_000,
  maxQuantity: 999,
} as const;

export const WHO_MADE = ["i_did", "someone_else", "collective"] as const;

const etsyId = z.union([z.number(), z.string().regex(/^\d{1,16}$/).transform(Number)]).pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));
// Etsy's tags: letters, digits, spaces, - ' ™ © ®; materials: letters, digits, spaces.
const TAG = /^[\p{L}\p{N} \-'™©®]+$/u;
const MATERIAL = /^[\p{L}\p{N} ]+$/u;
// made_to_order, or a period as Etsy names them: 2020_2026, before_2007, 1990s, before_1700.
const WHEN_MADE = /^(made_to_order|\d{4}_\d{4}|before_\d{4}|\d{4}s)$/;

// Array sizes as refinements: zod stops at a failed .max() on an array and would hide the other problems.
const sized = (min: number, max: number) => (a: unknown[]) => a.length >= min && a.length <= max;
const sizeMessage = (min: number, max: number, what: string) => (min > 0 ? `${min} to ${max} ${what}` : `at most ${max} ${what}`);

const tagList = z
  .array(z.string().trim().min(1, "a tag may not be empty").max(ETSY_LIMITS.tagChars, `a tag has at most ${ETSY_LIMITS.tagChars} characters`).regex(TAG, "a tag may hold letters, numbers, spaces, - and ' only"))
  .refine(sized(0, ETSY_LIMITS.tags), sizeMessage(0, ETSY_LIMITS.tags, "tags"))
  .refine((t) => new Set(t.map((x) => x.toLowerCase())).size === t.length, "each tag once");

const materialList = z
  .array(z.string().trim().min(1, "a material may not be empty").max(ETSY_LIMITS.materialChars, `a material has at most ${ETSY_LIMITS.materialChars} characters`).regex(MATERIAL, "a material may hold letters, numbers and spaces only"))
  .refine(sized(0, ETSY_LIMITS.materials), sizeMessage(0, ETSY_LIMITS.materials, "materials"));

/** A template to render for the listing, with the product colour when the template has colourways. */
const templateEntry = z.union([z.string().min(1).max(64).transform((templateId) => ({ templateId })), z.object({ templateId: z.string().min(1).max(64), color: z.string().min(1).max(64).optional() })]);

/**
 * `POST /api/listings`: a design, its images (stored mockups, or templates to render now) and the
 * listing's fields, checked against Etsy's documented rules so that every problem is answered at
 * once, before anything is sent.
 */
export const listingRequestSchema = z
  .object({
    designId: z.uuid(),
    mockupIds: z.array(z.uuid()).refine(sized(1, MAX_LISTING_IMAGES), sizeMessage(1, MAX_LISTING_IMAGES, "mockups")).optional(),
    templates: z.array(templateEntry).refine(sized(1, MAX_LISTING_IMAGES), sizeMessage(1, MAX_LISTING_IMAGES, "templates")).optional(),
    title: z
      .string()
      .trim()
      .min(1, "a title is required")
      .max(ETSY_LIMITS.titleChars, `at most ${ETSY_LIMITS.titleChars} characters`)
      .refine((t) => ["%", ":", "&", "+"].every((ch) => t.split(ch).length <= 2), "Etsy allows each of % : & + once in a title"),
    description: z.string().trim().min(1, "a description is required").max(ETSY_LIMITS.descriptionChars),
    price: z.number().min(ETSY_LIMITS.minPrice, `at least ${ETSY_LIMITS.minPrice}`).max(ETSY_LIMITS.maxPrice, `at most ${ETSY_LIMITS.maxPrice}`),
    quantity: z.number().int().min(1).max(ETSY_LIMITS.maxQuantity).default(1),
    tags: tagList.default([]),
    materials: materialList.default([]),
    whoMade: z.enum(WHO_MADE).optional(),
    whenMade: z.string().regex(WHEN_MADE, "made_to_order, or a period such as 2020_2026, before_2007 or 1990s").optional(),
    isSupply: z.boolean().optional(),
    taxonomyId: etsyId,
    type: z.enum(["physical", "download"]).default("physical"),
    shippingProfileId: etsyId.optional(),
    readinessStateId: etsyId.optional(),
    returnPolicyId: etsyId.optional(),
    altText: z.string().max(MAX_ALT_TEXT).optional(),
    priority: z.enum(JOB_PRIORITIES).default("normal"),
  })
  // Runs even when fields failed their own checks, so every problem comes back in one answer;
  // the value may then be partly invalid, hence only presence is looked at here.
  .check(z.superRefine((r: Partial<Record<string, unknown>>, ctx) => crossFieldProblems(r, (path, message) => ctx.addIssue({ code: "custom", path: [path], message, input: r })), { when: () => true }));

/** Rules between fields: images one way, Etsy's trio together, what a physical listing needs. */
function crossFieldProblems(r: Partial<Record<string, unknown>>, problem: (path: string, message: string) => void): void {
  if (typeof r !== "object" || r === null) return;
  if ((r.mockupIds === undefined) === (r.templates === undefined)) problem("mockupIds", "give mockupIds (stored mockups) or templates (to render now), one of the two");
  if (Array.isArray(r.mockupIds) && new Set(r.mockupIds).size !== r.mockupIds.length) problem("mockupIds", "each mockup once");
  // Etsy takes who made it, when and whether it is a supply together.
  const trio = ["whoMade", "whenMade", "isSupply"] as const;
  if (trio.some((f) => r[f] === undefined)) for (const f of trio) if (r[f] === undefined) problem(f, "whoMade, whenMade and isSupply are required together");
  if ((r.type ?? "physical") === "physical") {
    if (r.shippingProfileId === undefined) problem("shippingProfileId", "a physical listing needs a shipping profile");
    if (r.readinessStateId === undefined) problem("readinessStateId", "a physical listing needs a processing profile (readinessStateId)");
  }
}

export type ListingRequest = z.output<typeof listingRequestSchema>;
