/**
 * `bun run bench <name>`: prints figures (medians of several runs, peak RSS). Never pass/fail.
 * Names: upload, startup, hash, hash-pool, near-duplicate, mockups, mockups-pool, warp, jobs, async-upload,
 * sftp, fairness, render-stop, psd-import, detect, gallery, mockup-batch (default: all).
 */
import { benchAsyncUpload } from "./async-upload.bench.ts";
import { benchDetect } from "./detect.bench.ts";
import { benchFairness } from "./fairness.bench.ts";
import { benchGallery } from "./gallery.bench.ts";
import { benchMockupBatch } from "./mockup-batch.bench.ts";
import { benchHash } from "./hash.bench.ts";
import { benchHashPool } from "./hash-pool.bench.ts";
import { benchJobs } from "./jobs.bench.ts";
import { benchMockups } from "./mockups.bench.ts";
import { benchMockupsHttp } from "./mockups-http.bench.ts";
import { benchNearDuplicate } from "./near-duplicate.bench.ts";
import { benchRenderStop } from "./render-stop.bench.ts";
import { benchPsdImport } from "./psd-import.bench.ts";
import { benchSftp } from "./sftp.bench.ts";
import { benchStartup } from "./startup.bench.ts";
import { benchUpload } from "./upload.bench.ts";
import { benchTemplateEdit } from "./template-edit.bench.ts";
import { benchWarp } from "./warp.bench.ts";

const benches: Record<string, () => Promise<void>> = {
  upload: benchUpload,
  startup: benchStartup,
  hash: benchHash,
  "hash-pool": benchHashPool,
  "near-duplicate": benchNearDuplicate,
  mockups: benchMockupsHttp,
  "mockups-pool": benchMockups,
  warp: benchWarp,
  jobs: benchJobs,
  "async-upload": benchAsyncUpload,
  sftp: benchSftp,
  fairness: benchFairness,
  "render-stop": benchRenderStop,
  "psd-import": benchPsdImport,
  detect: benchDetect,
  gallery: benchGallery,
  "mockup-batch": benchMockupBatch,
  "template-edit": benchTemplateEdit,
};
const names = process.argv.slice(2);
for (const name of names.length ? names : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`Unknown bench "${name}". Known: ${Object.keys(benches).join(", ")}\n`);
    process.exit(2);
  }
  await bench();
}
