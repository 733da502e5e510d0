import { apiJson, jsonBody, messageOf, reportUnauthorized } from "./api-client.ts";
import { JOB_TYPES, type ApiErrorBody, type DuplicateFile, type Job, type JobDone, type JobLinks, type PrintFile, type Product, type UploadResult } from "./api-types.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { formatBytes, plural, printSizeText, productLabel } from "./format.ts";
import type { JobTracker } from "./job-tracker.ts";
import { reasonText } from "./reason-text.ts";
import { sendWithProgress } from "./send-with-progress.ts";
import { readSession, writeSession } from "./session-memory.ts";
import { createdRow, rowStatus, summaryText, uploadResultRows, type DuplicateActions } from "./upload-results.ts";

/** Uploads of more files than this run as a job (async=true), followed through its events. */
const ASYNC_OVER = 3;
const KEY = "atelier.upload";

/** What the panel shows, kept for reloads: the job being followed, or the last answer. */
interface UploadMemory {
  jobId?: string;
  total?: number;
  result?: UploadResult;
}

/**
 * The upload form: files by drag and drop or the file picker, kind and product; a progress bar
 * while the bytes go up, then while the server (or the job) works; then one row per file.
 */
export class UploadPanel {
  private readonly form = byId("upload-form", HTMLFormElement);
  private readonly input = byId("upload-files", HTMLInputElement);
  private readonly dropZone = byId("drop-zone", HTMLDivElement);
  private readonly chosen = byId("upload-chosen", HTMLParagraphElement);
  private readonly product = byId("upload-product", HTMLSelectElement);
  private readonly submit = byId("upload-submit", HTMLButtonElement);
  private readonly progressBlock = byId("upload-progress-block", HTMLDivElement);
  private readonly progressLabel = byId("upload-progress-label", HTMLLabelElement);
  private readonly progress = byId("upload-progress", HTMLProgressElement);
  private readonly status = byId("upload-status", HTMLParagraphElement);
  private readonly resultsTitle = byId("upload-results-title", HTMLHeadingElement);
  private readonly results = byId("upload-results", HTMLUListElement);
  private files: File[] = [];
  /** The files of the last upload by name, for "Keep anyway" (gone after a reload). */
  private sent = new Map<string, File>();
  /** Kind and product of the last upload, which its rows' actions repeat. */
  private sentWith = { kind: "physical", product: "default" };

  constructor(
    private readonly tracker: JobTracker,
    private readonly onDesignsChanged: () => void,
  ) {
    this.input.addEventListener("change", () => this.choose([...(this.input.files ?? [])]));
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.upload();
    });
    this.setUpDropZone();
    void this.loadProducts();
    tracker.on((jobId, _type, e) => {
      if (jobId === this.memory().jobId) this.onJobEvent(jobId, e.event, e.data);
    });
    this.restore();
  }

  private setUpDropZone(): void {
    const zone = this.dropZone;
    zone.addEventListener("dragenter", (e) => {
      e.preventDefault();
      zone.classList.add("drop-zone--over");
    });
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    });
    zone.addEventListener("dragleave", (e) => {
      if (!zone.contains(e.relatedTarget as Node | null)) zone.classList.remove("drop-zone--over");
    });
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("drop-zone--over");
      this.choose([...(e.dataTransfer?.files ?? [])]);
    });
    // A file dropped beside the zone would make the browser leave the app to open it.
    for (const type of ["dragover", "drop"]) window.addEventListener(type, (e) => e.preventDefault());
  }

  private choose(files: File[]): void {
    this.files = files;
    const bytes = files.reduce((n, f) => n + f.size, 0);
    const names = files.slice(0, 5).map((f) => f.name).join(", ") + (files.length > 5 ? ", …" : "");
    this.chosen.textContent = files.length ? `${plural(files.length, "file")} chosen (${formatBytes(bytes)}): ${names}` : "No files chosen.";
  }

  /** Fills the product picker from the shop's products; "default" stays first. */
  async loadProducts(): Promise<void> {
    try {
      const { products } = await apiJson<{ products: Product[] }>("/api/products");
      const chosen = this.product.value;
      replaceChildren(
        this.product,
        h("option", { value: "default" }, "default"),
        ...products.filter((p) => p.name !== "default").map((p) => h("option", { value: p.name }, productLabel(p))),
      );
      if ([...this.product.options].some((o) => o.value === chosen)) this.product.value = chosen;
    } catch (err) {
      this.setStatus(`The products could not be loaded: ${messageOf(err)}`);
    }
  }

  private kind(): string {
    return new FormData(this.form).get("kind") === "digital" ? "digital" : "physical";
  }

  private async upload(): Promise<void> {
    if (this.files.length === 0) {
      this.setStatus("Choose at least one file first.");
      this.input.focus();
      return;
    }
    const files = this.files;
    const asJob = files.length > ASYNC_OVER;
    const form = new FormData();
    for (const f of files) form.append("files", f, f.name);
    form.append("kind", this.kind());
    form.append("product", this.product.value || "default");
    if (asJob) form.append("async", "true");
    this.sent = new Map(files.map((f) => [f.name, f]));
    this.sentWith = { kind: this.kind(), product: this.product.value || "default" };

    this.busy(true);
    this.clearResults();
    this.showProgress(`Sending ${plural(files.length, "file")}…`, 0, 100);
    this.setStatus("");
    try {
      const answer = await sendWithProgress("/api/designs", form, {
        onProgress: (sent, total) => this.showProgress(`Sending… ${Math.floor((sent / total) * 100)}%`, sent, total),
        onSent: () => this.showProgress(asJob ? "Sent. Queuing the job…" : `Checking and storing ${plural(files.length, "file")}…`),
      });
      if (answer.status === 401) reportUnauthorized();
      if (answer.status === 200) {
        this.showResult(answer.body as UploadResult);
        this.done();
      } else if (answer.status === 202) {
        const links = answer.body as JobLinks;
        this.remember({ jobId: links.jobId, total: files.length });
        this.showProgress(`Processing ${plural(files.length, "file")}…`, 0, files.length);
        this.tracker.follow(links.jobId, JOB_TYPES.upload);
      } else {
        const error = (answer.body as { error?: ApiErrorBody } | null)?.error;
        this.fail(error ? reasonText(error) : `The upload failed (the server answered ${answer.status}).`);
      }
    } catch (err) {
      this.fail(messageOf(err));
    }
  }

  private onJobEvent(jobId: string, event: string, raw: string): void {
    const data = JSON.parse(raw) as Record<string, unknown>;
    const total = this.memory().total ?? 0;
    if (event === "progress") {
      const p = data as { done: number; total: number };
      this.showProgress(`Processed ${p.done} of ${plural(p.total, "file")}`, p.done, p.total);
    } else if (event === "started") {
      this.showProgress(`Processing ${plural(total, "file")}…`, 0, total || 1);
    } else if (event === "retrying") {
      this.setStatus("A step failed for a reason that may pass; the upload will be tried again shortly.");
    } else if (event === "succeeded") {
      this.showResult((data as { result: UploadResult }).result);
    } else if (event === "done") {
      void this.finishJob(jobId, data as JobDone);
    } else if (event === "lost") {
      this.fail(`Lost track of the upload: ${(data as { error: ApiErrorBody }).error.message}`);
    }
  }

  private async finishJob(jobId: string, done: JobDone): Promise<void> {
    if (done.state === "succeeded" && !this.memory().result) {
      // Resumed after the job had ended: the result is read from the job itself.
      try {
        const job = await apiJson<Job>(`/api/jobs/${encodeURIComponent(jobId)}`);
        this.showResult(job.result as UploadResult);
      } catch (err) {
        this.fail(`The upload finished, but its result could not be read: ${messageOf(err)}`);
        return;
      }
    }
    if (done.state === "failed") this.fail(`The upload failed: ${done.error ? reasonText(done.error) : "no reason given."}`);
    else if (done.state === "cancelled") this.fail("The upload was cancelled.");
    else this.done();
  }

  private showResult(result: UploadResult): void {
    this.remember({ ...this.memory(), result });
    this.renderResult(result);
    this.setStatus(`Upload finished: ${summaryText(result)}`);
    if (result.created.length > 0) this.onDesignsChanged();
  }

  private renderResult(result: UploadResult): void {
    this.resultsTitle.hidden = false;
    replaceChildren(this.results, ...uploadResultRows(result, this.actions()));
  }

  private actions(): DuplicateActions {
    return {
      keep: (d, row) => void this.keepAnyway(d, row),
      useForProduct: (d, row) => void this.useForProduct(d, row),
    };
  }

  /** Sends the file again with onDuplicate=keep; the row becomes the design it made. */
  private async keepAnyway(d: DuplicateFile, row: HTMLLIElement): Promise<void> {
    const file = this.sent.get(d.filename);
    if (!file) {
      rowStatus(row, "Choose the file again to keep it: it is no longer at hand after a reload.", false);
      return;
    }
    rowStatus(row, "Keeping it…", true);
    const form = new FormData();
    form.append("files", file, file.name);
    form.append("kind", this.sentWith.kind);
    form.append("product", this.sentWith.product);
    form.append("onDuplicate", "keep");
    try {
      const result = await apiJson<UploadResult>("/api/designs", { method: "POST", body: form });
      const created = result.created[0];
      if (created) {
        row.replaceWith(createdRow(created));
        this.onDesignsChanged();
      } else {
        rowStatus(row, result.rejected[0] ? reasonText(result.rejected[0].error) : "It was not kept.", false);
      }
    } catch (err) {
      rowStatus(row, `It could not be kept: ${messageOf(err)}`, false);
    }
  }

  /** Asks for the matched design's print file for this product (a job) and waits for it. */
  private async useForProduct(d: DuplicateFile, row: HTMLLIElement): Promise<void> {
    const hint = d.addProduct!;
    rowStatus(row, `Making the ${hint.product} print file…`, true);
    try {
      const links = await apiJson<JobLinks>(hint.printFilesUrl, jsonBody("POST", { product: hint.product }));
      const job = await waitForJob(links.jobId);
      const print = (job.result as { printFile?: PrintFile } | null)?.printFile;
      if (job.state !== "succeeded" || !print) throw new Error(job.error ? reasonText(job.error) : `the job ${job.state}`);
      rowStatus(row, `Added a ${print.product} print file to ${d.duplicateOf.filename}: ${printSizeText(print)}.`, true);
      row.setAttribute("data-added-product", print.product);
      this.onDesignsChanged();
    } catch (err) {
      rowStatus(row, `The print file could not be made: ${messageOf(err)}`, false);
    }
  }

  private clearResults(): void {
    this.resultsTitle.hidden = true;
    this.results.replaceChildren();
    this.remember({});
  }

  private done(): void {
    this.remember({ result: this.memory().result });
    this.busy(false);
    this.progressBlock.hidden = true;
    // Kind and product stay as they were: the next upload is often more of the same.
    this.input.value = "";
    this.choose([]);
  }

  private fail(message: string): void {
    this.busy(false);
    this.progressBlock.hidden = true;
    this.setStatus(message);
    this.remember({ result: this.memory().result });
  }

  /** Determinate with `value`/`max`, indeterminate without. */
  private showProgress(label: string, value?: number, max?: number): void {
    this.progressBlock.hidden = false;
    this.progressLabel.textContent = label;
    if (value === undefined || !max) {
      this.progress.removeAttribute("value");
    } else {
      this.progress.max = max;
      this.progress.value = value;
    }
  }

  private busy(on: boolean): void {
    this.submit.disabled = on;
    this.form.setAttribute("aria-busy", String(on));
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  private restore(): void {
    const m = this.memory();
    if (m.result) this.renderResult(m.result);
    if (m.jobId) {
      this.busy(true);
      this.showProgress("Picking the upload up again…", 0, m.total || 1);
      this.tracker.follow(m.jobId, JOB_TYPES.upload);
    }
  }

  private memory(): UploadMemory {
    return readSession<UploadMemory>(KEY) ?? {};
  }

  private remember(m: UploadMemory): void {
    writeSession(KEY, m);
  }
}

/** Polls a job until it has finished (print files take a second or two). */
async function waitForJob(jobId: string): Promise<Job> {
  for (;;) {
    const job = await apiJson<Job>(`/api/jobs/${encodeURIComponent(jobId)}`);
    if (job.state === "succeeded" || job.state === "failed" || job.state === "cancelled") return job;
    await new Promise((r) => setTimeout(r, 400));
  }
}
