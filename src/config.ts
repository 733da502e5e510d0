import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Thrown when the environment holds bad settings; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const megabytes = (max: number) => z.coerce.number().positive().max(max);

/** Product name → longest printed side in inches, e.g. `{"poster":24,"mug":8.5}`. */
const printSizesSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be JSON, e.g. {\"poster\":24}" });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1), z.number().positive().max(200)));

const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  DATABASE_MAX_CONNECTIONS: int(1, 100).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 60_000).default(2000),
  STORAGE_DIR: z.string().min(1).optional(),
  TEMPLATES_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  MAX_UPLOAD_MB: megabytes(4096).default(300),
  MAX_FILES_PER_UPLOAD: int(1, 1000).default(50),
  MAX_INPUT_PIXELS: int(1, 1_000_000_000).default(100_000_000),
  MIN_SOURCE_SIDE_PX: int(1, 10_000).default(16),
  MAX_ASPECT_RATIO: z.coerce.number().min(1).max(1_000_000).default(20),
  BATCH_MAX_MB: megabytes(4096).default(50),
  BATCH_MAX_FILES: int(1, 1000).default(20),
  UPLOAD_CONCURRENCY: int(1, 64).default(2),
  UPLOAD_PIXEL_BUDGET: int(1_000_000, 2_000_000_000).default(48_000_000),
  PRINT_DPI: int(72, 2400).default(400),
  DIGITAL_DPI: int(72, 2400).default(300),
  PRINT_PNG_ADAPTIVE_FILTER: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  PRINT_LONGEST_SIDE_IN: z.coerce.number().positive().max(200).default(10),
  PRINT_SIZES: printSizesSchema.default({}),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  RENDER_THREADS: int(1, 16).default(1),
  RENDER_QUEUE: int(1, 10_000).default(100),
  RENDER_CACHE_MB: int(16, 4096).default(96),
  RENDER_FITTED_CACHE_MB: int(8, 4096).default(32),
  RENDER_MEMORY_MB: int(64, 16_384).default(512),
  RENDER_THREAD_MEMORY_MB: int(64, 65_536).default(1024),
  TEMPLATE_MAX_RENDER_MB: int(32, 16_384).default(400),
  MOCKUP_DPI: int(72, 2400).default(300),
  PSD_MAX_MB: megabytes(4096).default(300),
  PSD_MAX_SIDE_PX: int(16, 12_000).default(10_000),
  PSD_MAX_LAYERS: int(1, 10_000).default(200),
  PSD_MAX_DECODED_MB: int(16, 65_536).default(1024),
  PSD_IMPORT_QUEUE: int(0, 100).default(2),
  PSD_IMPORT_TIMEOUT_S: int(1, 3600).default(120),
  SSE_KEEPALIVE_MS: int(100, 60_000).default(5000),
  MOCKUP_ARTWORK_CACHE_MB: int(0, 4096).default(32),
  HASH_THREADS: int(1, 16).default(1),
  HASH_QUEUE: int(1, 100_000).default(200),
  // Indexed thresholds are limited by the 16 chunks of the multi-index (r + 1 <= 16).
  DUP_PHASH_MAX: int(0, 15).default(8),
  DUP_CROP_AHASH_MAX: int(0, 15).default(10),
  DUP_CROP_PHASH_MAX: int(0, 256).default(40),
  PREFLIGHT_MIN_DPI: int(1, 2400).default(150),
  PREFLIGHT_ASPECT_TOLERANCE_PCT: int(0, 100).default(5),
  DUP_FLAT_AHASH_MAX: int(0, 15).default(15),
  DUP_FLAT_DHASH_MAX: int(0, 256).default(24),
  ROLE: z.enum(["api", "worker", "both"]).default("both"),
  JOB_CONCURRENCY: int(1, 64).default(2),
  JOB_LEASE_MS: int(1000, 3_600_000).default(30_000),
  JOB_POLL_MS: int(10, 60_000).default(1000),
  JOB_MAX_ATTEMPTS: int(1, 20).default(4),
  JOB_RETRY_BASE_MS: int(10, 3_600_000).default(2000),
  JOB_RETRY_MAX_MS: int(10, 86_400_000).default(300_000),
  SHOP_MAX_QUEUED_JOBS: int(1, 100_000).default(200),
  SHOP_MAX_RUNNING_JOBS: int(1, 64).default(1),
  SHOP_MAX_HIGH_PRIORITY_JOBS: int(0, 1000).default(3),
  MAX_BYTES_IN_FLIGHT_MB: megabytes(65_536).default(512),
  BODY_MIN_BYTES_PER_S: int(1, 1_000_000_000).default(16_384),
  BODY_GRACE_S: int(1, 3600).default(10),
  LEFTOVER_SWEEP_MINUTES: int(0, 10_080).default(60),
  LEFTOVER_GRACE_MINUTES: int(1, 10_080).default(60),
  JOB_RETENTION_DAYS: int(1, 3650).default(30),
  JOB_PRUNE_BATCH: int(1, 100_000).default(1000),
  ORPHAN_MIN_AGE_HOURS: int(1, 8760).default(24),
  ORPHAN_SWEEP_REMOVE: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  ADMIN_SOCKET: z.string().min(1).max(100).optional(),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  NAS_HOST: z.string().min(1).optional(),
  NAS_PORT: int(1, 65535).default(22),
  NAS_USER: z.string().min(1).optional(),
  NAS_PASSWORD: z.string().min(1).optional(),
  NAS_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  NAS_ROOT: z.string().regex(/^\//, "must be an absolute path").default("/share/Graphics/NookTransfers"),
  NAS_HOST_FINGERPRINT: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, "must look like SHA256:… (ssh-keygen -lf the host key)").optional(),
  NAS_INSECURE_ANY_HOST_KEY: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  NAS_MAX_CONNECTIONS: int(1, 64).default(10),
  NAS_UPLOAD_CONCURRENCY: int(1, 64).default(4),
  SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  ETSY_API_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://openapi.etsy.com"),
  ETSY_CONNECT_URL: z.url({ protocol: /^https?$/ }).default("https://www.etsy.com/oauth/connect"),
  // Sent as `keystring:shared_secret`: neither may hold the colon, nor spaces.
  ETSY_KEYSTRING: z.string().regex(/^[^\s:]{1,200}$/, "must be the app's keystring (no spaces or colons)").optional(),
  ETSY_SHARED_SECRET: z.string().regex(/^[^\s:]{1,200}$/, "must be the app's shared secret (no spaces or colons)").optional(),
  ETSY_REQUESTS_PER_SECOND: int(1, 1000).default(10),
  ETSY_REQUESTS_PER_DAY: int(1, 10_000_000).default(10_000),
}).superRefine((e, ctx) => {
  const missing = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
  // The Etsy app's credentials come as a pair, and its redirect URI is built on PUBLIC_URL.
  if (e.ETSY_KEYSTRING && !e.ETSY_SHARED_SECRET) missing("ETSY_SHARED_SECRET", "is required with ETSY_KEYSTRING");
  if (e.ETSY_SHARED_SECRET && !e.ETSY_KEYSTRING) missing("ETSY_KEYSTRING", "is required with ETSY_SHARED_SECRET");
  if (e.ETSY_KEYSTRING && !e.PUBLIC_URL) missing("PUBLIC_URL", "is required with ETSY_KEYSTRING (Etsy sends sellers back to {PUBLIC_URL}/etsy/callback)");
  // The NAS settings only make sense together; say everything that is missing at once.
  if (!e.NAS_HOST) return;
  if (!e.NAS_USER) missing("NAS_USER", "is required with NAS_HOST");
  if (!e.NAS_PASSWORD && !e.NAS_PRIVATE_KEY_FILE) missing("NAS_PASSWORD", "NAS_PASSWORD or NAS_PRIVATE_KEY_FILE is required with NAS_HOST");
  if (!e.NAS_HOST_FINGERPRINT && !e.NAS_INSECURE_ANY_HOST_KEY) {
    missing("NAS_HOST_FINGERPRINT", "is required with NAS_HOST (pin the NAS's host key), unless NAS_INSECURE_ANY_HOST_KEY=true");
  }
});

const MB = 1024 * 1024;

/** Each setting once: the environment's keys, checked, then shaped into the nested, frozen config. */
const configSchema = envSchema.transform((e) => {
  const dataDir = resolve(e.DATA_DIR);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databaseMaxConnections: e.DATABASE_MAX_CONNECTIONS,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    storageDir: resolve(e.STORAGE_DIR ?? `${dataDir}/files`),
    // Built-in templates ship with the code.
    templatesDir: resolve(e.TEMPLATES_DIR ?? fileURLToPath(new URL("./templates", import.meta.url))),
    // Local copies of shop templates' files, fetched from storage for the renderer.
    templateFilesDir: `${dataDir}/template-files`,
    // Draft templates scaled for the editor's live preview (POST /api/templates/preview).
    templateDraftsDir: `${dataDir}/template-drafts`,
    embeddedDbDir: `${dataDir}/pglite`,
    // The CLI's way in while the server holds the embedded database (unix socket, mode 0600).
    adminSocket: resolve(e.ADMIN_SOCKET ?? `${dataDir}/admin.sock`),
    logLevel: e.LOG_LEVEL,
    maxUploadBytes: Math.round(e.MAX_UPLOAD_MB * MB),
    maxFilesPerUpload: e.MAX_FILES_PER_UPLOAD,
    maxInputPixels: e.MAX_INPUT_PIXELS,
    minSourceSidePx: e.MIN_SOURCE_SIDE_PX,
    maxAspectRatio: e.MAX_ASPECT_RATIO,
    batchMaxBytes: Math.round(e.BATCH_MAX_MB * MB),
    batchMaxFiles: e.BATCH_MAX_FILES,
    uploadConcurrency: e.UPLOAD_CONCURRENCY,
    uploadPixelBudget: e.UPLOAD_PIXEL_BUDGET,
    printDpi: e.PRINT_DPI,
    digitalDpi: e.DIGITAL_DPI,
    pngAdaptiveFilter: e.PRINT_PNG_ADAPTIVE_FILTER,
    printLongestSideIn: e.PRINT_LONGEST_SIDE_IN,
    printSizes: Object.freeze({ ...e.PRINT_SIZES }),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    hashThreads: e.HASH_THREADS,
    renderThreads: e.RENDER_THREADS,
    renderQueue: e.RENDER_QUEUE,
    renderCacheMb: e.RENDER_CACHE_MB,
    renderFittedCacheMb: e.RENDER_FITTED_CACHE_MB,
    renderMemoryMb: e.RENDER_MEMORY_MB,
    renderThreadMemoryMb: e.RENDER_THREAD_MEMORY_MB,
    templateMaxRenderBytes: e.TEMPLATE_MAX_RENDER_MB * 1024 * 1024,
    mockupDpi: e.MOCKUP_DPI,
    // PSD import (POST /api/templates/psd): parsed one at a time in a worker thread.
    psdImport: Object.freeze({
      maxBytes: Math.round(e.PSD_MAX_MB * MB),
      maxSidePx: e.PSD_MAX_SIDE_PX,
      maxLayers: e.PSD_MAX_LAYERS,
      maxDecodedBytes: e.PSD_MAX_DECODED_MB * MB,
      maxQueue: e.PSD_IMPORT_QUEUE,
      timeoutMs: e.PSD_IMPORT_TIMEOUT_S * 1000,
    }),
    sseKeepAliveMs: e.SSE_KEEPALIVE_MS,
    mockupArtworkCacheMb: e.MOCKUP_ARTWORK_CACHE_MB,
    hashQueue: e.HASH_QUEUE,
    preflight: Object.freeze({ minDpi: e.PREFLIGHT_MIN_DPI, aspectTolerance: e.PREFLIGHT_ASPECT_TOLERANCE_PCT / 100 }),
    duplicateThresholds: Object.freeze({
      phashMax: e.DUP_PHASH_MAX,
      cropAhashMax: e.DUP_CROP_AHASH_MAX,
      cropPhashMax: e.DUP_CROP_PHASH_MAX,
      flatAhashMax: e.DUP_FLAT_AHASH_MAX,
      flatDhashMax: e.DUP_FLAT_DHASH_MAX,
    }),
    // api: HTTP only; worker: runs jobs (and serves /healthz, /metrics); both: one process does all.
    role: e.ROLE,
    jobs: Object.freeze({
      concurrency: e.JOB_CONCURRENCY,
      leaseMs: e.JOB_LEASE_MS,
      pollMs: e.JOB_POLL_MS,
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      retryBaseMs: e.JOB_RETRY_BASE_MS,
      retryMaxMs: e.JOB_RETRY_MAX_MS,
    }),
    shopLimits: Object.freeze({
      maxQueuedJobs: e.SHOP_MAX_QUEUED_JOBS,
      maxRunningJobs: e.SHOP_MAX_RUNNING_JOBS,
      maxHighPriorityJobs: e.SHOP_MAX_HIGH_PRIORITY_JOBS,
    }),
    bodies: Object.freeze({
      maxBytesInFlight: Math.round(e.MAX_BYTES_IN_FLIGHT_MB * MB),
      minBytesPerS: e.BODY_MIN_BYTES_PER_S,
      graceMs: e.BODY_GRACE_S * 1000,
    }),
    leftovers: Object.freeze({ sweepEveryMs: e.LEFTOVER_SWEEP_MINUTES * 60_000, graceMs: e.LEFTOVER_GRACE_MINUTES * 60_000 }),
    retention: Object.freeze({ jobMs: e.JOB_RETENTION_DAYS * 86_400_000, pruneBatch: e.JOB_PRUNE_BATCH }),
    orphans: Object.freeze({ minAgeMs: e.ORPHAN_MIN_AGE_HOURS * 3_600_000, remove: e.ORPHAN_SWEEP_REMOVE }),
    metricsToken: e.METRICS_TOKEN,
    // The shop's NAS over SFTP; local storage under storageDir when absent.
    nas: e.NAS_HOST
      ? Object.freeze({
          host: e.NAS_HOST,
          port: e.NAS_PORT,
          username: e.NAS_USER!,
          password: e.NAS_PASSWORD,
          privateKeyFile: e.NAS_PRIVATE_KEY_FILE ? resolve(e.NAS_PRIVATE_KEY_FILE) : undefined,
          root: e.NAS_ROOT,
          hostKeyFingerprint: e.NAS_HOST_FINGERPRINT,
          allowUnknownHostKey: e.NAS_INSECURE_ANY_HOST_KEY,
          maxConnections: e.NAS_MAX_CONNECTIONS,
        })
      : undefined,
    // Files of one upload batch written to storage at once (never more than NAS_MAX_CONNECTIONS).
    storeConcurrency: e.NAS_HOST ? Math.min(e.NAS_UPLOAD_CONCURRENCY, e.NAS_MAX_CONNECTIONS) : e.NAS_UPLOAD_CONCURRENCY,
    // Seals stored credentials (Etsy tokens); unset: generated once into `$DATA_DIR/secret.key`. Never logged.
    secretKey: e.SECRET_KEY,
    // Etsy Open API origin, without a trailing slash.
    etsyApiBaseUrl: e.ETSY_API_BASE_URL.replace(/\/+$/, ""),
    // The app's call budget at Etsy, shared by every process through the database; Etsy's own
    // x-limit-per-second / x-limit-per-day headers replace them once seen.
    etsyRateLimits: Object.freeze({ perSecond: e.ETSY_REQUESTS_PER_SECOND, perDay: e.ETSY_REQUESTS_PER_DAY }),
    etsyApp:
      e.ETSY_KEYSTRING && e.ETSY_SHARED_SECRET && e.PUBLIC_URL
        ? Object.freeze({
            keystring: e.ETSY_KEYSTRING,
            apiKey: `${e.ETSY_KEYSTRING}:${e.ETSY_SHARED_SECRET}`,
            connectUrl: e.ETSY_CONNECT_URL,
            redirectUri: `${e.PUBLIC_URL.replace(/\/+$/, "")}/etsy/callback`,
          })
        : undefined,
  });
});

/** The validated, frozen settings of one process. */
export type Config = z.output<typeof configSchema>;

/** Parses settings from an environment map (default: process.env); throws ConfigError listing every bad key. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  // An empty variable means "not set", as a shell user expects from `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(env)"}: ${issue.message}`),
    );
  }
  return parsed.data;
}
