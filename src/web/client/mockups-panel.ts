import { ApiError, apiFetch, apiJson, errorOf, messageOf } from "./api-client.ts";
import {
  JOB_TYPES,
  type ApiErrorBody,
  type Design,
  type Job,
  type JobDone,
  type JobLinks,
  type MockupFailed,
  type MockupMade,
  type Page,
  type Template,
} from "./api-types.ts";
import { announce } from "./announce.ts";
import { showApiImage } from "./authed-image.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { plural } from "./format.ts";
import type { ImageViewer } from "./image-viewer.ts";
import type { JobTracker } from "./job-tracker.ts";
import { downloadMockup, downloadMockupsZip } from "./mockup-downloads.ts";
import { showFailedMockup, showMadeMockup, showPendingMockup } from "./mockup-tile.ts";
import { reasonText } from "./reason-text.ts";
import { safeFileName } from "./save-file.ts";
import { readSession, writeSession } from "./session-memory.ts";
import { SseReader } from "./sse-reader.ts";
import { thumbnailUrl } from "./upload-results.ts";
import { PlacementControls } from "./placement-controls.ts";
import { TemplateColors, type MockupEntry } from "./template-colors.ts";

/** Mockups per request (templates × colours), as the server allows. */
const MAX_MOCKUPS = 10;
const KEY = "atelier.mockupSet";

/** One tile of a set: its template (id for file names: "template-colour" for a colour), name and colour. */
interface SetSlot {
  id: string;
  name: string;
  color?: string;
  hex?: string;
}

/** The mockup set on show, kept for reloads: what has arrived so far and whether it is finished. */
interface MockupSet {
  jobId: string;
  designId: string;
  designName: string;
  templates: SetSlot[];
  mockups: MockupMade[];
  failed: MockupFailed[];
  state: "running" | JobDone["state"] | "lost";
  error?: ApiErrorBody;
}

/**
 * Mockups: choose a design, templates and the colours of those that have colourways (up to 10
 * mockups in all), start the set (POST /api/mockups answering with its event stream), and show
 * each mockup the moment its `mockup` event arrives; failed ones say why. Finished sets can be
 * downloaded (one image or a ZIP) and published to Etsy.
 */
export class MockupsPanel {
  private readonly form = byId("mockup-form", HTMLFormElement);
  private readonly designSelect = byId("mockup-design", HTMLSelectElement);
  private readonly designThumb = byId("mockup-design-thumb", HTMLImageElement);
  private readonly choices = byId("template-choices", HTMLUListElement);
  private readonly count = byId("template-count", HTMLSpanElement);
  private readonly limit = byId("mockup-limit", HTMLParagraphElement);
  private readonly submit = byId("mockup-submit", HTMLButtonElement);
  private readonly progressBlock = byId("mockup-progress-block", HTMLDivElement);
  private readonly progressLabel = byId("mockup-progress-label", HTMLLabelElement);
  private readonly progress = byId("mockup-progress", HTMLProgressElement);
  private readonly status = byId("mockup-status", HTMLParagraphElement);
  private readonly setSection = byId("mockup-set", HTMLElement);
  private readonly results = byId("mockup-results", HTMLUListElement);
  private readonly downloadAll = byId("mockup-download-all", HTMLButtonElement);
  private readonly publish = byId("mockup-publish", HTMLButtonElement);
  private templates: Template[] = [];
  private set: MockupSet | undefined;
  private readonly colors = new TemplateColors(byId("template-colors", HTMLDivElement), () => {
    this.limitChoices();
    this.placement.refresh();
  });
  private readonly placement = new PlacementControls(() => {
    const e = this.colors.previewEntry(this.chosenTemplateIds());
    return { designId: this.designSelect.value, templateId: e?.templateId, color: e?.color, label: e ? this.slotOf(e).name : undefined };
  });

  constructor(
    private readonly tracker: JobTracker,
    private readonly viewer: ImageViewer,
    private readonly onPublish: (mockupIds: string[], label: string) => void,
    private readonly onSetChanged: () => void = () => {},
  ) {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.start();
    });
    this.designSelect.addEventListener("change", () => {
      this.showDesignThumb();
      this.placement.refresh();
    });
    this.choices.addEventListener("change", () => {
      this.colors.show(this.templates, this.chosenTemplateIds());
      this.limitChoices();
      this.placement.refresh();
    });
    this.downloadAll.addEventListener("click", () => void this.downloadZip());
    this.publish.addEventListener("click", () => {
      const s = this.set;
      if (s) this.onPublish(s.mockups.map((m) => m.mockupId), `${plural(s.mockups.length, "mockup")} of ${s.designName}`);
    });
    tracker.on((jobId, _type, e) => {
      if (jobId === this.set?.jobId) this.onJobEvent(e.event, e.data);
    });
    this.restore();
  }

  /** Fills the design list (newest first). */
  async loadDesigns(): Promise<void> {
    try {
      const page = await apiJson<Page<Design>>("/api/designs?limit=200");
      const selected = this.designSelect.value;
      replaceChildren(
        this.designSelect,
        page.items.length ? null : h("option", { value: "" }, "No designs yet: upload one first"),
        ...page.items.map((d) => h("option", { value: d.id }, `${d.filename} (${d.product})`)),
      );
      if (selected && page.items.some((d) => d.id === selected)) this.designSelect.value = selected;
      this.showDesignThumb();
    } catch (err) {
      this.status.textContent = `The designs could not be loaded: ${messageOf(err)}`;
    }
  }

  /** Selects a design (from the gallery's "Mockups" button), adding it to the list if it is older than what the list holds. */
  chooseDesign(d: Design): void {
    if (![...this.designSelect.options].some((o) => o.value === d.id)) {
      this.designSelect.prepend(h("option", { value: d.id }, `${d.filename} (${d.product})`));
    }
    this.designSelect.value = d.id;
    this.showDesignThumb();
  }

  /** Shows the templates to choose from, keeping what was chosen. */
  setTemplates(templates: Template[]): void {
    this.templates = templates;
    const chosen = new Set(this.chosenTemplateIds());
    replaceChildren(
      this.choices,
      ...templates.map((t) => {
        const img = h("img", { class: "tile__image tile__image--wide", alt: "", width: 152, height: 114 });
        showApiImage(img, t.previewUrl, { lazy: true });
        return h(
          "li",
          { class: "tile template-choice" },
          h(
            "label",
            null,
            h("input", { type: "checkbox", name: "templateIds", value: t.id, checked: chosen.has(t.id) }),
            img,
            h("span", { class: "tile__title" }, t.name),
            h("span", { class: "tile__meta" }, `${t.room} · ${plural(t.placements.length, "placement")}`),
          ),
        );
      }),
    );
    this.colors.show(templates, this.chosenTemplateIds());
    this.limitChoices();
  }

  /** Puts a set from the history on show: a finished one from its result, a running one followed again. */
  showJob(job: Job): void {
    const result = (job.result ?? {}) as { mockups?: MockupMade[]; failed?: MockupFailed[] };
    const mockups = result.mockups ?? [];
    const failed = result.failed ?? [];
    const total = Math.max(job.progress?.total ?? 0, ...mockups.map((m) => m.total), ...failed.map((f) => f.total), 1);
    const templates: SetSlot[] = Array.from({ length: total }, (_, i) => ({ id: "", name: `Template ${i + 1}` }));
    for (const x of [...mockups, ...failed]) templates[x.index] = this.slotOf(x);
    const designName = /^Mockups of (.*), \d+ templates?$/.exec(job.title)?.[1] ?? "design";
    const running = job.state === "queued" || job.state === "running";
    this.set = { jobId: job.id, designId: "", designName, templates, mockups, failed, state: running ? "running" : job.state, error: job.error ?? undefined };
    this.save();
    this.render();
    if (running) this.tracker.follow(job.id, JOB_TYPES.mockups);
    this.setSection.scrollIntoView({ block: "start" });
  }

  /** A running set shown from the history learns its templates from its events. */
  private learnTemplate(s: MockupSet, index: number, total: number, templateId: string, color?: string): void {
    while (s.templates.length < total) s.templates.push({ id: "", name: `Template ${s.templates.length + 1}` });
    const slot = this.slotOf({ templateId, color });
    if (s.templates[index]?.id === slot.id) return;
    s.templates[index] = slot;
    this.results.dataset.renderedJob = ""; // redraw the slots
    this.render();
  }

  // A tile's template: a slot for a colour is "template-colour", so its files say the colour.
  private slotOf(e: MockupEntry): SetSlot {
    const name = this.templates.find((t) => t.id === e.templateId)?.name ?? e.templateId;
    if (!e.color) return { id: e.templateId, name };
    return { id: `${e.templateId}-${safeFileName(e.color)}`, name, color: e.color, hex: this.colors.hexOf(e.templateId, e.color) };
  }

  private chosenTemplateIds(): string[] {
    return [...this.choices.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
  }

  /**
   * At most 10 mockups (a template in three colours is three): once 10 are asked for, the other
   * templates are disabled; colours stay free to change, and past 10 the message says by how much.
   */
  private limitChoices(): void {
    const ids = this.chosenTemplateIds();
    const n = this.colors.entries(ids).length;
    for (const input of this.choices.querySelectorAll<HTMLInputElement>("input")) input.disabled = !input.checked && n >= MAX_MOCKUPS;
    const templates = ids.length === n ? "" : ` from ${plural(ids.length, "template")}`;
    this.count.textContent =
      n === MAX_MOCKUPS ? `(${n} mockups${templates}: the most at once)` : `(${plural(n, "mockup")}${templates}, up to ${MAX_MOCKUPS})`;
    this.limit.textContent = n > MAX_MOCKUPS ? overLimit(n) : "";
  }

  private showDesignThumb(): void {
    const id = this.designSelect.value;
    this.designThumb.hidden = !id;
    if (!id) return;
    this.designThumb.alt = `Thumbnail of ${this.designSelect.selectedOptions[0]?.textContent ?? "the design"}`;
    showApiImage(this.designThumb, thumbnailUrl(id));
  }

  private async start(): Promise<void> {
    const designId = this.designSelect.value;
    const templateIds = this.chosenTemplateIds();
    if (!designId) return void (this.status.textContent = "Choose a design first (upload one if the list is empty).");
    if (templateIds.length === 0) return void (this.status.textContent = "Choose at least one template.");
    const entries = this.colors.entries(templateIds);
    if (entries.length > MAX_MOCKUPS) {
      // The message stays where the colours are (and goes once fixed); said again for screen readers.
      this.limit.scrollIntoView({ block: "center" });
      return announce(overLimit(entries.length));
    }
    this.submit.disabled = true;
    this.status.textContent = "Starting…";
    // The set on show is no longer the one being made: nothing may read it as done meanwhile.
    this.results.dataset.state = "starting";
    try {
      const res = await apiFetch("/api/mockups", {
        method: "POST",
        headers: { Accept: "text/event-stream", "Content-Type": "application/json" },
        // Colours go as explicit entries, so the set's tiles and the server's indexes are the same list.
        body: JSON.stringify({
          designId,
          ...(entries.some((e) => e.color) ? { templates: entries.map(({ templateId, color }) => (color ? { templateId, color } : { templateId })) } : { templateIds }),
          ...this.placement.value(),
        }),
      });
      if (!res.ok || !res.body) throw await errorOf(res);
      const stream = new SseReader(res.body);
      const first = await stream.next();
      if (first?.event !== "job") throw new Error("The server did not start the job.");
      const links = JSON.parse(first.data) as JobLinks;
      const designName = (this.designSelect.selectedOptions[0]?.textContent ?? "design").replace(/ \([^)]*\)$/, "");
      this.set = {
        jobId: links.jobId,
        designId,
        designName,
        templates: entries.map((e) => this.slotOf(e)),
        mockups: [],
        failed: [],
        state: "running",
      };
      this.save();
      this.render();
      this.tracker.follow(links.jobId, JOB_TYPES.mockups, stream);
      this.onSetChanged();
    } catch (err) {
      this.submit.disabled = false;
      this.render(); // the set on show again, as it was
      this.status.textContent = `The mockups could not be started: ${err instanceof ApiError ? reasonText(err) : messageOf(err)}`;
    }
  }

  private onJobEvent(event: string, raw: string): void {
    const s = this.set;
    if (!s) return;
    const data = JSON.parse(raw) as unknown;
    if (event === "mockup") {
      const m = data as MockupMade;
      this.learnTemplate(s, m.index, m.total, m.templateId, m.color);
      if (!s.mockups.some((x) => x.index === m.index)) s.mockups.push(m);
      this.save();
      this.fillSlot(m.index);
      announce(`Mockup ${s.mockups.length + s.failed.length} of ${s.templates.length} ready.`);
    } else if (event === "mockup-failed") {
      const f = data as MockupFailed;
      this.learnTemplate(s, f.index, f.total, f.templateId, f.color);
      if (!s.failed.some((x) => x.index === f.index)) s.failed.push(f);
      this.save();
      this.fillSlot(f.index);
    } else if (event === "retrying") {
      this.status.textContent = "Some mockups could not be made yet; the job will try again shortly.";
    } else if (event === "done") {
      const d = data as JobDone;
      s.state = d.state;
      s.error = d.error;
      this.save();
      this.render(); // its status line (a live region) says how it ended
      this.onSetChanged();
    } else if (event === "lost") {
      s.state = "lost";
      s.error = (data as { error: ApiErrorBody }).error;
      this.save();
      this.render();
    }
    this.showProgress();
  }

  private stateText(s: MockupSet): string {
    const made = s.mockups.length;
    const total = s.templates.length;
    switch (s.state) {
      case "running":
        return `Rendering: ${made + s.failed.length} of ${total} done.`;
      case "succeeded":
        return `${plural(made, "mockup")} ready${s.failed.length ? `, ${s.failed.length} failed` : ""}.`;
      case "failed":
        return `The mockup job failed${s.error ? `: ${reasonText(s.error)}` : "."}`;
      case "cancelled":
        return "The mockup job was cancelled.";
      case "lost":
        return `Lost track of the mockup job${s.error ? `: ${s.error.message}` : "."}`;
      default:
        return "";
    }
  }

  /** Draws the whole set: one tile per template, filled with what has arrived. */
  private render(): void {
    const s = this.set;
    this.setSection.hidden = !s;
    if (!s) return;
    this.results.dataset.state = s.state === "running" ? "running" : "done";
    this.results.dataset.jobId = s.jobId;
    if (this.results.children.length !== s.templates.length || this.results.dataset.renderedJob !== s.jobId) {
      this.results.dataset.renderedJob = s.jobId;
      replaceChildren(this.results, ...s.templates.map((_, i) => h("li", { class: "tile mockup-tile", "data-index": i })));
    }
    s.templates.forEach((_, i) => this.fillSlot(i));
    const finished = s.state !== "running";
    this.submit.disabled = !finished;
    this.downloadAll.disabled = !finished || s.mockups.length === 0;
    this.publish.disabled = s.state !== "succeeded" || s.mockups.length === 0;
    this.status.textContent = this.stateText(s);
    this.showProgress();
  }

  private showProgress(): void {
    const s = this.set;
    const running = s?.state === "running";
    this.progressBlock.hidden = !running;
    if (!s || !running) return;
    const done = s.mockups.length + s.failed.length;
    this.progress.max = s.templates.length;
    this.progress.value = done;
    this.progressLabel.textContent = `Rendering ${s.designName}: ${done} of ${plural(s.templates.length, "mockup")}`;
  }

  /** One tile: waiting, the mockup's preview (the full image on click), or why it failed. */
  private fillSlot(index: number): void {
    const s = this.set;
    const li = this.results.querySelector<HTMLLIElement>(`li[data-index="${index}"]`);
    const template = s?.templates[index];
    if (!s || !li || !template) return;
    const made = s.mockups.find((m) => m.index === index);
    const failed = s.failed.find((f) => f.index === index);
    if (made) {
      if (li.dataset.mockupId === made.mockupId) return;
      const fileBase = `${safeFileName(s.designName)}-${template.id}`;
      const title = template.color ? `${template.name}, ${template.color}` : template.name;
      showMadeMockup(li, made, template, s.designName, {
        open: () => this.viewer.open(made.url, title, `${s.designName} on ${template.name}${template.color ? ` in ${template.color}` : ""}`, fileBase),
        download: () => void this.run(() => downloadMockup(made, fileBase)),
      });
    } else if (failed) {
      showFailedMockup(li, failed, template);
    } else {
      showPendingMockup(li, template, s.state === "running");
    }
  }

  /** All mockups of the set in one ZIP. */
  private async downloadZip(): Promise<void> {
    const s = this.set;
    if (!s) return;
    this.downloadAll.disabled = true;
    await this.run(async () => {
      const n = await downloadMockupsZip(s.mockups, s.designName, (done) => {
        this.status.textContent = `Preparing the download: ${done + 1} of ${s.mockups.length}…`;
      });
      this.status.textContent = `Downloaded ${plural(n, "mockup")} as a ZIP.`;
    });
    this.downloadAll.disabled = false;
  }

  /** Runs a download; a failure is said on the status line. */
  private async run(download: () => Promise<unknown>): Promise<void> {
    try {
      await download();
    } catch (err) {
      this.status.textContent = `The download failed: ${messageOf(err)}`;
    }
  }

  private save(): void {
    writeSession(KEY, this.set);
  }

  /** After a reload: the set as it was, and its job followed again if it was still running. */
  private restore(): void {
    this.set = readSession<MockupSet>(KEY);
    if (!this.set) return;
    this.render();
    if (this.set.state === "running") this.tracker.follow(this.set.jobId, JOB_TYPES.mockups);
  }
}

function overLimit(n: number): string {
  return `That is ${n} mockups; at most ${MAX_MOCKUPS} at once: untick ${plural(n - MAX_MOCKUPS, "colour or template", "colours or templates")}.`;
}
