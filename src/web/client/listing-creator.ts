import { ApiError, apiJson, jsonBody, messageOf } from "./api-client.ts";
import { JOB_TYPES, type ApiErrorBody, type Design, type JobDone, type JobLinks, type ListingCreated, type MockupMade, type ShopProfiles, type Template, type TaxonomyChoice } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { plural } from "./format.ts";
import type { JobTracker } from "./job-tracker.ts";
import { NOT_CONNECTED } from "./listing-picker.ts";
import { showPendingMockup } from "./mockup-tile.ts";
import { reasonText } from "./reason-text.ts";
import { readSession, writeSession } from "./session-memory.ts";

const KEY = "atelier.listing";
const MAX_PHOTOS = 10;
const PRESELECTED = 4;

/** A listing job on show, kept for reloads: what the seller sees in the progress view. */
interface Creating {
  jobId: string;
  designName: string;
  templates: Array<{ id: string; name: string }>;
  made: Record<number, string>; // index → previewUrl
  failed: Record<number, string>; // index → reason
  listing?: ListingCreated;
  published: number;
  finished?: string;
}

/** Suggested prices by product, a starting point the seller edits. */
const SUGGESTED_PRICE: Record<string, string> = { poster: "24.00", print: "18.00", mug: "16.00", "t-shirt": "22.00", tee: "22.00", tote: "19.00", pillow: "28.00", canvas: "45.00" };

/** "storm_over-the-bay.v2.jpg" → "Storm over the bay v2". */
export function titleFromFileName(filename: string): string {
  const base = filename.replace(/\.[a-z0-9]{2,5}$/i, "").replace(/[_\-.]+/g, " ").replace(/\s+/g, " ").trim();
  return base ? base[0]!.toUpperCase() + base.slice(1) : "Untitled design";
}

/** Tags from the title's words and the product: Etsy's rules (≤ 13, ≤ 20 characters, letters and digits). */
export function suggestedTags(title: string, product: string): string[] {
  const words = `${title} ${product}`.toLowerCase().replace(/[^\p{L}\p{N} ]+/gu, " ").split(/\s+/).filter((w) => w.length > 2 && w.length <= 20);
  const tags = [...new Set([...words, `${product} gift`.slice(0, 20)])];
  return tags.slice(0, 13);
}

/**
 * "Create Etsy listing" on a design: choose up to 10 templates, check the fields (prefilled from
 * the file name and the product), pick the category and the shop's profiles, start; then one view
 * shows the mockups appear, the draft made and its images go up, and ends with a link to the draft.
 */
export class ListingCreator {
  private readonly dialog = byId("listing-dialog", HTMLDialogElement);
  private readonly form = byId("listing-form", HTMLFormElement);
  private readonly templatesList = byId("listing-templates", HTMLUListElement);
  private readonly title = byId("listing-name", HTMLInputElement);
  private readonly description = byId("listing-description", HTMLTextAreaElement);
  private readonly price = byId("listing-price", HTMLInputElement);
  private readonly quantity = byId("listing-quantity", HTMLInputElement);
  private readonly tags = byId("listing-tags", HTMLInputElement);
  private readonly categorySearch = byId("listing-category-search", HTMLInputElement);
  private readonly category = byId("listing-category", HTMLSelectElement);
  private readonly shipping = byId("listing-shipping", HTMLSelectElement);
  private readonly readiness = byId("listing-readiness", HTMLSelectElement);
  private readonly returns = byId("listing-returns", HTMLSelectElement);
  private readonly optionsStatus = byId("listing-options-status", HTMLParagraphElement);
  private readonly error = byId("listing-error", HTMLParagraphElement);
  private readonly submit = byId("listing-submit", HTMLButtonElement);
  private readonly progress = byId("listing-progress", HTMLElement);
  private readonly steps = byId("listing-steps", HTMLOListElement);
  private readonly mockups = byId("listing-mockups", HTMLUListElement);
  private readonly done = byId("listing-done", HTMLParagraphElement);
  private readonly link = byId("listing-link", HTMLAnchorElement);
  private readonly status = byId("listing-status", HTMLParagraphElement);
  private templates: Template[] = [];
  private design: Design | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly tracker: JobTracker) {
    byId("listing-cancel", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    byId("listing-close", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    this.templatesList.addEventListener("change", () => this.limitTemplates());
    this.categorySearch.addEventListener("input", () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => void this.searchCategories(this.categorySearch.value), 250);
    });
    tracker.on((jobId, _type, e) => {
      const c = readSession<Creating>(KEY);
      if (c?.jobId === jobId) this.onJobEvent(c, e.event, e.data);
    });
    const c = readSession<Creating>(KEY);
    if (c && !c.finished) {
      this.status.textContent = `Creating the Etsy listing for ${c.designName}…`;
      tracker.follow(c.jobId, JOB_TYPES.listing);
    }
  }

  /** The shop's templates, to choose the photos from. */
  setTemplates(templates: Template[]): void {
    this.templates = templates;
  }

  /** Opens the form for a design, prefilled. */
  open(design: Design): void {
    this.design = design;
    this.form.hidden = false;
    this.progress.hidden = true;
    this.error.textContent = "";
    this.clearProblems();
    this.submit.disabled = false;
    byId("listing-summary", HTMLParagraphElement).textContent = `A draft listing for ${design.filename} (${design.product}), with mockups as its photos. Nothing is published: you review the draft on Etsy.`;
    replaceChildren(
      this.templatesList,
      ...this.templates.map((t, i) => {
        const img = h("img", { class: "tile__image tile__image--wide", alt: "", width: 152, height: 114 });
        showApiImage(img, t.previewUrl, { lazy: true });
        return h(
          "li",
          { class: "tile template-choice" },
          h("label", null, h("input", { type: "checkbox", name: "listingTemplate", value: t.id, checked: i < PRESELECTED }), img, h("span", { class: "tile__title" }, t.name)),
          // A product in colours: which one this photo shows.
          t.colors?.length
            ? h(
                "select",
                { class: "listing-color", "data-template": t.id, "aria-label": `Colour of ${t.name}` },
                h("option", { value: "" }, "As photographed"),
                ...t.colors.map((c) => h("option", { value: c.name }, c.name)),
              )
            : null,
        );
      }),
    );
    this.limitTemplates();
    const title = titleFromFileName(design.filename);
    this.title.value = `${title} ${design.product}`.slice(0, 140);
    this.description.value = `${title}, printed on demand as a ${design.product}.`;
    this.price.value = SUGGESTED_PRICE[design.product.toLowerCase()] ?? "20.00";
    this.tags.value = suggestedTags(title, design.product).join(", ");
    this.categorySearch.value = design.product;
    this.dialog.showModal();
    void this.searchCategories(design.product);
    void this.loadProfiles();
  }

  private chosen(): string[] {
    return [...this.templatesList.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
  }

  /** The chosen templates with the colour picked for each (none: as photographed). */
  private chosenEntries(): Array<{ templateId: string; color?: string }> {
    return this.chosen().map((templateId) => {
      const color = this.templatesList.querySelector<HTMLSelectElement>(`select[data-template="${CSS.escape(templateId)}"]`)?.value;
      return color ? { templateId, color } : { templateId };
    });
  }

  private limitTemplates(): void {
    const n = this.chosen().length;
    for (const input of this.templatesList.querySelectorAll<HTMLInputElement>("input")) input.disabled = !input.checked && n >= MAX_PHOTOS;
    byId("listing-template-count", HTMLSpanElement).textContent = `(${n} of up to ${MAX_PHOTOS} chosen, in this order)`;
  }

  private async loadProfiles(): Promise<void> {
    this.optionsStatus.textContent = "Loading the shop's profiles from Etsy…";
    try {
      const p = await apiJson<ShopProfiles>("/api/shop/etsy/profiles");
      fill(this.shipping, p.shippingProfiles.map((s) => [String(s.id), s.title]), "Choose a shipping profile");
      fill(this.readiness, p.readinessStates.map((r) => [String(r.id), readinessLabel(r)]), "Choose a processing time");
      fill(this.returns, p.returnPolicies.map((r) => [String(r.id), r.acceptsReturns ? `Returns within ${r.deadlineDays ?? "?"} days` : "No returns"]), "No return policy");
      if (p.shippingProfiles.length === 1) this.shipping.selectedIndex = 1;
      if (p.readinessStates.length === 1) this.readiness.selectedIndex = 1;
      this.optionsStatus.textContent = p.shippingProfiles.length ? "" : "This shop has no shipping profile at Etsy yet: add one in Shop Manager → Settings → Shipping, then open this again.";
    } catch (err) {
      this.optionsStatus.textContent = notConnected(err) ? NOT_CONNECTED : `The shop's profiles could not be loaded: ${messageOf(err)}`;
    }
  }

  private async searchCategories(q: string): Promise<void> {
    if (q.trim().length < 2) return;
    try {
      const { items } = await apiJson<{ items: TaxonomyChoice[] }>(`/api/shop/etsy/categories?q=${encodeURIComponent(q.trim())}`);
      fill(this.category, items.map((c) => [String(c.id), c.path]), items.length ? undefined : "No category matches: try another word");
    } catch (err) {
      fill(this.category, [], notConnected(err) ? NOT_CONNECTED : `Categories could not be loaded: ${messageOf(err)}`);
    }
  }

  private clearProblems(): void {
    for (const p of this.form.querySelectorAll<HTMLElement>("[data-problem]")) p.textContent = "";
  }

  /** Shows each of the server's problems ("field: message") next to its field. */
  private showProblems(problems: string[]): void {
    const unplaced: string[] = [];
    for (const line of problems) {
      const [field, ...rest] = line.split(": ");
      const key = field === "mockupIds" ? "templates" : field?.split(".")[0];
      const slot = key ? this.form.querySelector<HTMLElement>(`[data-problem="${key}"]`) : null;
      if (slot) slot.textContent = slot.textContent ? `${slot.textContent}; ${rest.join(": ")}` : rest.join(": ");
      else unplaced.push(line);
    }
    this.error.textContent = unplaced.length ? unplaced.join("; ") : "Please correct the fields marked above.";
  }

  private async send(): Promise<void> {
    const design = this.design;
    if (!design) return;
    this.clearProblems();
    this.error.textContent = "";
    const entries = this.chosenEntries();
    const num = (v: string) => (v.trim() === "" ? undefined : Number(v.replace(",", ".")));
    const id = (sel: HTMLSelectElement) => (sel.value ? Number(sel.value) : undefined);
    const body = {
      designId: design.id,
      templates: entries.length ? entries : undefined,
      title: this.title.value,
      description: this.description.value,
      price: num(this.price.value),
      quantity: num(this.quantity.value) ?? 1,
      tags: this.tags.value.split(",").map((t) => t.trim()).filter(Boolean),
      whoMade: "i_did",
      whenMade: "made_to_order",
      isSupply: false,
      taxonomyId: id(this.category),
      shippingProfileId: id(this.shipping),
      readinessStateId: id(this.readiness),
      returnPolicyId: id(this.returns),
    };
    this.submit.disabled = true;
    try {
      const links = await apiJson<JobLinks>("/api/listings", jsonBody("POST", body));
      const names = new Map(this.templates.map((t) => [t.id, t.name]));
      const c: Creating = {
        jobId: links.jobId,
        designName: design.filename,
        templates: entries.map((e) => ({ id: e.templateId, name: `${names.get(e.templateId) ?? e.templateId}${e.color ? `, ${e.color}` : ""}` })),
        made: {},
        failed: {},
        published: 0,
      };
      writeSession(KEY, c);
      this.showProgress(c);
      this.status.textContent = `Creating the Etsy listing for ${design.filename}…`;
      this.tracker.follow(links.jobId, JOB_TYPES.listing);
    } catch (err) {
      this.submit.disabled = false;
      const problems = err instanceof ApiError ? (err.details as { problems?: string[] } | undefined)?.problems : undefined;
      if (problems?.length) this.showProblems(problems);
      else this.error.textContent = notConnected(err) ? NOT_CONNECTED : `The listing could not be started: ${messageOf(err)}`;
    }
  }

  private showProgress(c: Creating): void {
    this.form.hidden = true;
    this.progress.hidden = false;
    const mockupsDone = Object.keys(c.made).length + Object.keys(c.failed).length;
    const step = (text: string, state: "done" | "active" | "waiting" | "failed") => h("li", { "data-state": state }, text);
    const renderState = mockupsDone === c.templates.length ? "done" : "active";
    replaceChildren(
      this.steps,
      step(`Mockups: ${mockupsDone} of ${c.templates.length} made${Object.keys(c.failed).length ? ` (${Object.keys(c.failed).length} not made)` : ""}`, renderState),
      step(c.listing ? `Draft listing ${c.listing.listingId} created on Etsy` : "Draft listing on Etsy", c.listing ? "done" : renderState === "done" && !c.finished ? "active" : c.finished && !c.listing ? "failed" : "waiting"),
      step(`Photos on the listing: ${c.published} of ${Object.keys(c.made).length || c.templates.length}`, c.finished ? (c.published ? "done" : "failed") : c.listing ? "active" : "waiting"),
    );
    replaceChildren(
      this.mockups,
      ...c.templates.map((t, i) => {
        const li = h("li", { class: "tile mockup-tile", "data-index": i });
        const preview = c.made[i];
        if (preview) {
          const img = h("img", { class: "tile__image tile__image--wide", alt: `${c.designName} on ${t.name}`, width: 152, height: 114 });
          showApiImage(img, preview);
          li.className = "tile mockup-tile mockup-tile--ready";
          li.append(img, h("p", { class: "tile__title" }, t.name));
        } else if (c.failed[i]) {
          li.className = "tile mockup-tile mockup-tile--failed";
          li.append(h("p", { class: "tile__title" }, t.name), h("p", { class: "error small" }, `Not made: ${c.failed[i]}`));
        } else showPendingMockup(li, t, !c.finished);
        return li;
      }),
    );
    this.done.textContent = c.finished ?? "";
    this.link.hidden = !(c.finished && c.listing);
    if (c.listing) this.link.href = c.listing.editUrl;
    if (!this.dialog.open) this.dialog.showModal();
  }

  private onJobEvent(c: Creating, event: string, raw: string): void {
    const data = JSON.parse(raw) as Record<string, unknown>;
    if (event === "mockup") {
      const m = data as unknown as MockupMade;
      c.made[m.index] = m.previewUrl;
    } else if (event === "mockup-failed") {
      const d = data as { index: number; error: ApiErrorBody };
      c.failed[d.index] = reasonText(d.error);
    } else if (event === "listing-created") {
      c.listing = data as unknown as ListingCreated;
    } else if (event === "image-published") {
      c.published++;
    } else if (event === "deferred") {
      this.done.textContent = ((data as { error?: ApiErrorBody }).error?.message) ?? "Etsy asked to wait; this goes on by itself.";
    } else if (event === "done") {
      const d = data as unknown as JobDone;
      c.finished =
        d.state === "succeeded"
          ? `Done: a draft listing with ${plural(c.published, "photo")}. Review it on Etsy, then publish it there.`
          : d.state === "cancelled"
            ? "Cancelled."
            : `The listing could not be created: ${d.error?.code === "etsy_not_connected" ? NOT_CONNECTED : (d.error?.message ?? "no reason given.")}`;
      this.status.textContent = c.finished;
    } else if (event === "lost") {
      c.finished = `Lost track of the listing: ${(data as { error: ApiErrorBody }).error.message}`;
    } else return;
    writeSession(KEY, c);
    if (this.dialog.open || event === "done") this.showProgress(c);
  }
}

function fill(select: HTMLSelectElement, options: Array<[string, string]>, placeholder?: string): void {
  const keep = select.value;
  replaceChildren(select, ...(placeholder !== undefined ? [h("option", { value: "" }, placeholder)] : []), ...options.map(([value, label]) => h("option", { value }, label)));
  if (options.some(([v]) => v === keep)) select.value = keep;
}

function readinessLabel(r: ShopProfiles["readinessStates"][number]): string {
  const kind = r.state === "made_to_order" ? "Made to order" : "Ready to ship";
  return r.minDays !== null && r.maxDays !== null ? `${kind}, ${r.minDays}–${r.maxDays} ${r.unit ?? "days"}` : kind;
}

const notConnected = (err: unknown) => err instanceof ApiError && err.status === 409 && err.code === "etsy_not_connected";
