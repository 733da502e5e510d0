// The shapes of the API's answers, as the README documents them (only the fields the app reads).

export interface Design {
  id: string;
  filename: string;
  product: string;
  kind: "physical" | "digital";
  format: string;
  width: number;
  height: number;
  bytes: number;
  createdAt: string;
  /** Upload answers: the print file's preflight. */
  dpi?: number | null;
  printWidthIn?: number | null;
  printHeightIn?: number | null;
  effectiveDpi?: number | null;
  warnings?: PreflightWarning[];
  keptDuplicateOf?: DuplicateFile;
  /** Gallery items: the print file of the product it was uploaded for. */
  print?: PrintSummary | null;
  /** Gallery items: the other products it has print files for, with their warnings. */
  otherPrints?: OtherPrintFile[];
  tags: string[];
  mockupCount: number;
  onEtsy: boolean;
}

/** A print file of a design for another product than its upload's, as the gallery lists it. */
export interface OtherPrintFile {
  product: string;
  warnings: PreflightWarning[];
}

/** What preflight says of a print file. */
export interface PreflightWarning {
  code: string;
  message: string;
  effectiveDpi?: number;
}

/** A print file's size and preflight, as the gallery and upload answers carry them. */
export interface PrintSummary {
  dpi: number | null;
  printWidthIn: number | null;
  printHeightIn: number | null;
  effectiveDpi: number | null;
  warnings: PreflightWarning[];
}

export interface PrintFile extends PrintSummary {
  id: string;
  designId: string;
  product: string;
  kind: "physical" | "digital";
  width: number;
  height: number;
}

export interface Product {
  name: string;
  kind: "physical" | "digital";
  longestSideIn: number | null;
  widthIn: number | null;
  heightIn: number | null;
  dpi: number;
}

/** One of GET /api/mockups (the history). */
export interface MockupListed {
  id: string;
  designId: string | null;
  designFilename: string | null;
  templateId: string;
  jobId: string | null;
  width: number;
  height: number;
  createdAt: string;
  url: string;
  previewUrl: string;
}

/** One design's answer in a bulk request. */
export interface BulkOutcome {
  id: string;
  ok: boolean;
  tags?: string[];
  error?: ApiErrorBody;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiErrorBody {
  code: string;
  message: string;
}

export interface DuplicateFile {
  filename: string;
  tier: "batch" | "exact" | "near";
  distance: number;
  hash: string;
  /** `id` is absent when the match is an earlier file of the same upload. */
  duplicateOf: { id?: string; filename: string };
  /** The same in a seller's words. */
  reason?: string;
  /** The design it matched has no print file for the upload's product yet. */
  addProduct?: { designId: string; product: string; printFilesUrl: string };
  /** onDuplicate=add-product made this print file for the matched design. */
  addedPrintFile?: PrintFile;
}

export interface RejectedFile {
  filename: string;
  error: ApiErrorBody;
}

export interface UploadResult {
  created: Design[];
  duplicates: DuplicateFile[];
  rejected: RejectedFile[];
  summary: { uploaded: number; created: number; duplicates: number; rejected: number; ms: number };
}

export interface JobLinks {
  jobId: string;
  statusUrl: string;
  eventsUrl: string;
}

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface Job {
  id: string;
  type: string;
  /** What it is for: "Mockups of storm.jpg, 4 templates" ("" for old jobs). */
  title: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  progress: { done: number; total: number } | null;
  result: unknown;
  error: ApiErrorBody | null;
  cancelRequested: boolean;
  lastEventSeq: number;
  createdAt: string;
  finishedAt: string | null;
}

export interface Placement {
  id: string;
  corners: [number, number][];
}

export interface Template {
  id: string;
  name: string;
  room: string;
  width: number;
  height: number;
  builtIn: boolean;
  previewUrl: string;
  placements: Placement[];
  /** The template's colourways, when it has any. */
  colors?: Array<{ name: string; hex: string }>;
}

/** A `mockup` event: one finished mockup. */
export interface MockupMade {
  index: number;
  total: number;
  templateId: string;
  /** The colourway it was made in, if any. */
  color?: string;
  mockupId: string;
  url: string;
  previewUrl: string;
  width: number;
  height: number;
  bytes: number;
}

/** A `mockup-failed` event: one template that could not be used. */
export interface MockupFailed {
  index: number;
  total: number;
  templateId: string;
  /** The colourway asked for, if any. */
  color?: string;
  error: ApiErrorBody;
}

/** The `done` event closing every job stream. */
export interface JobDone {
  jobId: string;
  state: JobState;
  error?: ApiErrorBody;
  [summary: string]: unknown;
}

/** Job types this app starts. */
export const JOB_TYPES = { upload: "design-upload", mockups: "mockup-set", etsy: "etsy-publish", listing: "etsy-listing", batch: "mockup-batch" } as const;

/** GET /api/shop/etsy/profiles: what a physical listing needs, for pickers. */
export interface ShopProfiles {
  shippingProfiles: Array<{ id: number; title: string }>;
  readinessStates: Array<{ id: number; state: string; minDays: number | null; maxDays: number | null; unit: string | null }>;
  returnPolicies: Array<{ id: number; acceptsReturns: boolean; acceptsExchanges: boolean; deadlineDays: number | null }>;
}

/** GET /api/shop/etsy/categories?q=: one of Etsy's categories. */
export interface TaxonomyChoice {
  id: number;
  name: string;
  path: string;
}

/** The listing-created event of an etsy-listing job. */
export interface ListingCreated {
  listingId: number;
  url: string;
  editUrl: string;
}

/** One of GET /api/tokens (the token itself only in POST's answer). */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  current?: boolean;
}

/** GET /api/shop. */
export interface ShopInfo {
  id: string;
  name: string;
}

interface UsageLine {
  count: number;
  bytes: number;
}

/** GET /api/shop/storage. */
export interface StorageOverview {
  location: "local" | "nas";
  healthy: boolean;
  usage: { designs: UsageLine; deletedDesigns: UsageLine; mockups: UsageLine; templates: UsageLine; totalBytes: number };
}

/** GET /api/shop/etsy. */
export interface EtsyConnection {
  connected: boolean;
  connectedVia: "oauth" | "api_key" | null;
  shopId: number | null;
  shopName: string | null;
  apiKeyHint: string | null;
  connectedAt: string | null;
  canConnect: boolean;
}

/** One listing of GET /api/shop/etsy/listings. */
export interface EtsyListing {
  listingId: number;
  title: string;
  state: string;
  url: string | null;
  imageCount: number;
  thumbnailUrl: string | null;
}

export interface EtsyListingsPage {
  count: number;
  items: EtsyListing[];
}
