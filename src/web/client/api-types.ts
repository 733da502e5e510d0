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
  tags: string[];
  mockupCount: number;
  onEtsy: boolean;
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
}

/** A `mockup` event: one finished mockup. */
export interface MockupMade {
  index: number;
  total: number;
  templateId: string;
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
export const JOB_TYPES = { upload: "design-upload", mockups: "mockup-set", batch: "mockup-batch", etsy: "etsy-publish" } as const;

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
