import { ApiError, apiJson, jsonBody, messageOf } from "./api-client.ts";
import type { ApiErrorBody, Design, JobDone, PrintFile, Product } from "./api-types.ts";
import { announce } from "./announce.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { formatSize, plural, printSizeText, productLabel } from "./format.ts";
import type { JobTracker } from "./job-tracker.ts";
import { warningList } from "./print-warnings.ts";
import { reasonText } from "./reason-text.ts";

/** The job type of POST /api/designs/print-files (print-files.job.ts). */
export const PRINT_FILES_JOB = "print-files";
/** Designs one request may name (MAX_PRINT_FILE_DESIGNS). */
const MAX_DESIGNS = 500;

/** POST /api/designs/print-files's answer. */
interface PrintFilesAnswer {
  jobId: string | null;
  results: Array<{ id: string; ok: boolean; error?: ApiErrorBody }>;
}

type RowState = "waiting" | "made" | "skipped" | "failed";

/**
 * "Make print files for <product>" from the gallery's selection: pick one of the shop's products
 * (GET /api/products), queue one job for every selected design (POST /api/designs/print-files),
 * then follow it: each design's row says waiting, made (size, print size, preflight warnings),
 * already had one, or why it failed.
 */
export class PrintFilesDialog {
  private readonly dialog = byId("print-files-dialog", HTMLDialogElement);
  private readonly product = byId("print-files-product", HTMLSelectElement);
  private readonly list = byId("print-files-list", HTMLUListElement);
  private readonly status = byId("print-files-status", HTMLParagraphElement);
  private readonly start = byId("print-files-start", HTMLButtonElement);
  private readonly progressBlock = byId("print-files-progress-block", HTMLDivElement);
  private readonly progress = byId("print-files-progress", HTMLProgressElement);
  private readonly progressLabel = byId("print-files-progress-label", HTMLLabelElement);
  private designs: Design[] = [];
  private products: Product[] = [];
  private readonly rows = new Map<string, HTMLLIElement>();
  private jobId: string | undefined;
  private queued = 0;
  private settled = 0;

  constructor(
    private readonly tracker: JobTracker,
    /** Each print file as it is made, for the gallery's tiles. */
    private readonly made: (designId: string, printFile: PrintFile) => void = () => {},
  ) {
    byId("print-files-close", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    byId("print-files-form", HTMLFormElement).addEventListener("submit", (e) => {
      e.preventDefault();
      void this.run();
    });
    this.product.addEventListener("change", () => this.titles());
    tracker.on((jobId, _type, e) => {
      if (jobId === this.jobId) this.onEvent(e.event, e.data);
    });
  }

  async open(designs: Design[]): Promise<void> {
    this.designs = designs.slice(0, MAX_DESIGNS);
    this.jobId = undefined;
    this.rows.clear();
    this.status.textContent = "";
    this.progressBlock.hidden = true;
    this.start.hidden = false;
    this.start.disabled = true;
    this.product.disabled = false;
    byId("print-files-summary", HTMLParagraphElement).textContent =
      designs.length > MAX_DESIGNS
        ? `The first ${MAX_DESIGNS} of the ${designs.length} selected designs (one request holds ${MAX_DESIGNS}).`
        : `${plural(this.designs.length, "design")}: each gets a print file at the product's print size, with its preflight.`;
    replaceChildren(this.list, ...this.designs.map((d) => this.row(d)));
    this.dialog.showModal();
    try {
      this.products = (await apiJson<{ products: Product[] }>("/api/products")).products;
    } catch (err) {
      this.status.textContent = `The products could not be loaded: ${messageOf(err)}`;
      return;
    }
    replaceChildren(this.product, ...this.products.map((p) => h("option", { value: p.name }, productLabel(p))));
    if (this.products.length === 0) this.status.textContent = "The shop has no products yet: add them on the Shop tab.";
    this.start.disabled = this.products.length === 0;
    this.titles();
  }

  // "Make print files for poster", in the title and on the button.
  private titles(): void {
    const name = this.product.value;
    const text = name ? `Make print files for ${name}` : "Make print files";
    byId("print-files-title", HTMLHeadingElement).textContent = text;
    this.start.textContent = text;
    // Designs that have one for this product already say so before anything is sent.
    for (const d of this.designs) {
      if (this.jobId !== undefined) break;
      const has = d.product === name;
      this.setRow(d.id, has ? "skipped" : "waiting", has ? `Has one for ${name} already.` : "");
    }
  }

  private row(d: Design): HTMLLIElement {
    const li = h("li", { class: "print-files-row", "data-design-id": d.id, "data-state": "waiting" }, h("span", { class: "print-files-row__name" }, d.filename), h("span", { class: "print-files-row__state" }, ""));
    this.rows.set(d.id, li);
    return li;
  }

  private setRow(id: string, state: RowState, text: string, extra?: Node | null): void {
    const li = this.rows.get(id);
    if (!li) return;
    li.dataset.state = state;
    const label = { waiting: "", made: "Made", skipped: "Skipped", failed: "Failed" }[state];
    replaceChildren(
      li,
      h("span", { class: "print-files-row__name" }, this.designs.find((d) => d.id === id)?.filename ?? id),
      h("span", { class: "print-files-row__state" }, label ? h("strong", null, `${label}: `) : null, text),
      extra ?? null,
    );
  }

  private async run(): Promise<void> {
    const product = this.product.value;
    if (!product) return;
    this.start.disabled = true;
    this.product.disabled = true;
    this.status.textContent = "Starting…";
    try {
      const answer = await apiJson<PrintFilesAnswer>("/api/designs/print-files", jsonBody("POST", { designIds: this.designs.map((d) => d.id), product }));
      this.queued = 0;
      this.settled = 0;
      for (const r of answer.results) {
        if (r.ok) {
          this.queued++;
          this.setRow(r.id, "waiting", "Waiting…");
        } else if (r.error?.code === "print_file_exists") this.setRow(r.id, "skipped", `Has one for ${product} already.`);
        else this.setRow(r.id, "failed", r.error ? reasonText(r.error) : "Not made.");
      }
      if (answer.jobId === null) {
        this.finish(`No print file to make: ${plural(answer.results.length, "design")} checked.`);
        return;
      }
      this.jobId = answer.jobId;
      this.start.hidden = true;
      this.show();
      this.tracker.follow(answer.jobId, PRINT_FILES_JOB);
    } catch (err) {
      this.start.disabled = false;
      this.product.disabled = false;
      this.status.textContent = `The print files could not be started: ${err instanceof ApiError ? reasonText(err) : messageOf(err)}`;
    }
  }

  private onEvent(event: string, raw: string): void {
    if (event === "print-file") {
      const { designId, printFile } = JSON.parse(raw) as { designId: string; printFile: PrintFile };
      const size = printSizeText(printFile);
      this.setRow(designId, "made", `${formatSize(printFile.width, printFile.height)} px${size ? `, ${size}` : ""}.`, warningList(printFile.warnings));
      this.settled++;
      this.made(designId, printFile);
    } else if (event === "print-file-failed") {
      const { designId, error } = JSON.parse(raw) as { designId: string; error: ApiErrorBody };
      this.setRow(designId, "failed", reasonText(error));
      this.settled++;
    } else if (event === "done" || event === "lost") {
      const d = JSON.parse(raw) as Partial<JobDone> & { error?: ApiErrorBody };
      const made = [...this.rows.values()].filter((li) => li.dataset.state === "made").length;
      const failed = [...this.rows.values()].filter((li) => li.dataset.state === "failed").length;
      this.finish(
        d.state === "succeeded" || (d.state === "failed" && made > 0)
          ? `${plural(made, "print file")} made${failed ? `, ${failed} not` : ""}.`
          : d.state === "cancelled" ? "Cancelled." : `The print files were not made${d.error ? `: ${reasonText(d.error)}` : "."}`,
      );
      return;
    }
    this.show();
  }

  private show(): void {
    this.progressBlock.hidden = false;
    this.progress.max = this.queued || 1;
    this.progress.value = this.settled;
    this.progressLabel.textContent = `Making print files: ${this.settled} of ${this.queued}`;
    this.status.textContent = "";
  }

  private finish(text: string): void {
    this.progressBlock.hidden = true;
    this.start.hidden = true;
    this.status.textContent = text;
    announce(text);
  }
}
