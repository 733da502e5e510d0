import { ApiError, apiFetch, errorOf, messageOf } from "./api-client.ts";
import { JOB_TYPES, type Design, type JobDone, type Template } from "./api-types.ts";
import { announce } from "./announce.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { plural } from "./format.ts";
import type { JobTracker } from "./job-tracker.ts";
import { reasonText } from "./reason-text.ts";
import { fetchApiBlob, saveBlob } from "./save-file.ts";
import { SseReader } from "./sse-reader.ts";

/** Mockups per design: a template counts once, or once per colour chosen (templates × colours). */
const MAX_PER_DESIGN = 10;
const MAX_DESIGNS = 100;

/** One mockup of each design: a template, in one of its colours or as photographed. */
interface BatchEntry {
  templateId: string;
  color?: string;
}

/**
 * Bulk mockups from the gallery's selection: choose templates and, for those with colourways,
 * colours (up to 10 mockups per design, templates × colours), start one batch
 * (POST /api/mockup-batches, followed through its events), see its progress over the whole
 * matrix, and download everything as one ZIP the server streams.
 */
export class BatchDialog {
  private readonly dialog = byId("batch-dialog", HTMLDialogElement);
  private readonly list = byId("batch-templates", HTMLUListElement);
  private readonly status = byId("batch-status", HTMLParagraphElement);
  private readonly progressBlock = byId("batch-progress-block", HTMLDivElement);
  private readonly progress = byId("batch-progress", HTMLProgressElement);
  private readonly progressLabel = byId("batch-progress-label", HTMLLabelElement);
  private readonly start = byId("batch-start", HTMLButtonElement);
  private readonly zip = byId("batch-zip", HTMLButtonElement);
  private templates: Template[] = [];
  private designs: Design[] = [];
  private jobId: string | undefined;
  private made = 0;
  private failed = 0;
  private total = 0;

  constructor(private readonly tracker: JobTracker) {
    byId("batch-close", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    byId("batch-form", HTMLFormElement).addEventListener("submit", (e) => {
      e.preventDefault();
      void this.run();
    });
    this.list.addEventListener("change", () => this.limit());
    this.zip.addEventListener("click", () => void this.download());
    tracker.on((jobId, _type, e) => {
      if (jobId === this.jobId) this.onEvent(e.event, e.data);
    });
  }

  setTemplates(templates: Template[]): void {
    this.templates = templates;
  }

  open(designs: Design[]): void {
    this.designs = designs.slice(0, MAX_DESIGNS);
    this.jobId = undefined;
    byId("batch-summary", HTMLParagraphElement).textContent =
      designs.length > MAX_DESIGNS
        ? `The first ${MAX_DESIGNS} of the ${designs.length} selected designs (a batch holds ${MAX_DESIGNS}).`
        : `${plural(this.designs.length, "design")}, each in every template you choose.`;
    replaceChildren(this.list, ...this.templates.map((t, i) => this.templateChoice(t, i < 4)));
    this.limit();
    this.status.textContent = "";
    this.progressBlock.hidden = true;
    this.zip.hidden = true;
    this.start.disabled = false;
    this.dialog.showModal();
  }

  // A template's checkbox and, when it has colourways, a colour checkbox each (shown once the
  // template is ticked; none ticked means the template as photographed).
  private templateChoice(t: Template, checked: boolean): HTMLLIElement {
    const template = h("input", { type: "checkbox", name: "templateIds", value: t.id, checked, "data-template": t.id });
    if (!t.colors?.length) return h("li", null, h("label", { class: "choice" }, template, t.name));
    const colours = h(
      "div",
      { class: "batch-colors", role: "group", "aria-label": `Colours of ${t.name}`, hidden: !checked },
      h("span", { class: "batch-colors__hint muted small" }, "Colours (none: as photographed)"),
      ...t.colors.map((c) => {
        const swatch = h("span", { class: "batch-color__swatch", "aria-hidden": "true" });
        swatch.style.background = c.hex; // through the CSSOM: the page's CSP refuses style attributes
        return h("label", { class: "batch-color" }, h("input", { type: "checkbox", value: c.name, "data-color-of": t.id, "aria-label": `${t.name} in ${c.name}` }), swatch, c.name);
      }),
    );
    template.addEventListener("change", () => {
      colours.hidden = !template.checked;
      // Unticked, the template takes its colours with it: ticked again, it counts as one.
      if (!template.checked) for (const c of colours.querySelectorAll("input")) c.checked = false;
    });
    return h("li", { class: "batch-template--colors" }, h("label", { class: "choice" }, template, t.name), colours);
  }

  /** The mockups each design gets, in the list's order: per ticked template, its ticked colours or the template itself. */
  private chosen(): BatchEntry[] {
    return [...this.list.querySelectorAll<HTMLInputElement>("input[data-template]:checked")].flatMap((input) => {
      const templateId = input.value;
      const colours = [...this.list.querySelectorAll<HTMLInputElement>("input[data-color-of]:checked")].filter((c) => c.dataset.colorOf === templateId);
      return colours.length ? colours.map((c) => ({ templateId, color: c.value })) : [{ templateId }];
    });
  }

  // What ticking `input` would add to each design's mockups: a template one; its first colour
  // none (it replaces the template as photographed), each further colour one.
  private cost(input: HTMLInputElement): number {
    const of = input.dataset.colorOf;
    if (of === undefined) return 1;
    const template = this.list.querySelector<HTMLInputElement>(`input[data-template="${CSS.escape(of)}"]`);
    if (!template?.checked) return 1;
    return [...this.list.querySelectorAll<HTMLInputElement>("input[data-color-of]:checked")].some((c) => c.dataset.colorOf === of) ? 1 : 0;
  }

  private limit(): void {
    const n = this.chosen().length;
    const started = this.jobId !== undefined;
    for (const input of this.list.querySelectorAll<HTMLInputElement>("input")) input.disabled = (!input.checked && n + this.cost(input) > MAX_PER_DESIGN) || started;
    byId("batch-template-count", HTMLSpanElement).textContent = `(${plural(n, "mockup")} per design, up to ${MAX_PER_DESIGN}: ${plural(n * this.designs.length, "mockup")} in all)`;
  }

  private async run(): Promise<void> {
    const entries = this.chosen();
    if (!entries.length) return void (this.status.textContent = "Choose at least one template.");
    this.start.disabled = true;
    this.status.textContent = "Starting…";
    try {
      const res = await apiFetch("/api/mockup-batches", {
        method: "POST",
        headers: { Accept: "text/event-stream", "Content-Type": "application/json" },
        body: JSON.stringify({ designIds: this.designs.map((d) => d.id), templates: entries }),
      });
      if (!res.ok || !res.body) throw await errorOf(res);
      const stream = new SseReader(res.body);
      const first = await stream.next();
      if (first?.event !== "job") throw new Error("The server did not start the batch.");
      this.jobId = (JSON.parse(first.data) as { jobId: string }).jobId;
      this.total = entries.length * this.designs.length;
      this.made = 0;
      this.failed = 0;
      this.limit();
      this.show();
      this.tracker.follow(this.jobId, JOB_TYPES.batch, stream);
    } catch (err) {
      this.start.disabled = false;
      this.status.textContent = `The batch could not be started: ${err instanceof ApiError ? reasonText(err) : messageOf(err)}`;
    }
  }

  private onEvent(event: string, raw: string): void {
    if (event === "mockup") this.made++;
    else if (event === "mockup-failed") this.failed++;
    else if (event === "progress") {
      const p = JSON.parse(raw) as { done: number; total: number };
      this.total = p.total;
    } else if (event === "done") {
      const d = JSON.parse(raw) as JobDone;
      this.progressBlock.hidden = true;
      this.zip.hidden = this.made === 0;
      const text =
        d.state === "succeeded"
          ? `${plural(this.made, "mockup")} made${this.failed ? `, ${this.failed} failed` : ""}.`
          : d.state === "cancelled" ? "The batch was cancelled." : `The batch failed${d.error ? `: ${reasonText(d.error)}` : "."}`;
      this.status.textContent = text;
      announce(text);
      return;
    }
    this.show();
  }

  private show(): void {
    this.progressBlock.hidden = false;
    this.progress.max = this.total || 1;
    this.progress.value = this.made + this.failed;
    this.progressLabel.textContent = `Rendering: ${this.made + this.failed} of ${plural(this.total, "mockup")}`;
    this.status.textContent = this.failed ? `${this.failed} failed so far.` : "";
    // What is made so far can already be downloaded.
    this.zip.hidden = this.made === 0;
  }

  private async download(): Promise<void> {
    if (!this.jobId) return;
    this.zip.disabled = true;
    try {
      saveBlob(await fetchApiBlob(`/api/mockup-batches/${this.jobId}/zip`), `mockups-${this.jobId.slice(0, 8)}.zip`);
    } catch (err) {
      this.status.textContent = `The download failed: ${messageOf(err)}`;
    } finally {
      this.zip.disabled = false;
    }
  }
}
