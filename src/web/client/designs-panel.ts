import { apiJson, jsonBody, messageOf } from "./api-client.ts";
import type { BulkOutcome, Design, OtherPrintFile, Page } from "./api-types.ts";
import { announce } from "./announce.ts";
import { showApiImage } from "./authed-image.ts";
import { byId, h } from "./dom.ts";
import { formatBytes, formatSize, plural, printSizeText } from "./format.ts";
import { warningList } from "./print-warnings.ts";
import { thumbnailUrl } from "./upload-results.ts";
import { GallerySelection } from "./gallery-selection.ts";

const PAGE_SIZE = 24;

/**
 * The gallery of the shop's designs: searched (file names and tags) and filtered on the server, a
 * page at a time; tiles are selected (click, shift-click for a range, all on the page) and acted
 * on together (tag, delete, make mockups, make print files); a click on the picture opens the design large.
 */
export class DesignsPanel {
  private readonly grid = byId("design-grid", HTMLUListElement);
  private readonly more = byId("designs-more", HTMLButtonElement);
  private readonly status = byId("designs-status", HTMLParagraphElement);
  private readonly filter = byId("designs-filter", HTMLFormElement);
  private readonly tagInput = byId("designs-tag", HTMLInputElement);
  private readonly selection: GallerySelection;
  private readonly designs = new Map<string, Design>();
  private cursor: string | null = null;
  private loading = false;
  private query = new URLSearchParams();

  constructor(
    private readonly actions: {
      open(design: Design): void;
      makeMockups(designs: Design[]): void;
      makePrintFiles(designs: Design[]): void;
    },
  ) {
    this.selection = new GallerySelection(this.grid, byId("designs-select-all", HTMLInputElement), () => this.selectionChanged());
    byId("designs-refresh", HTMLButtonElement).addEventListener("click", () => void this.refresh());
    this.more.addEventListener("click", () => void this.loadPage(true));
    this.filter.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.refresh();
    });
    this.filter.addEventListener("reset", () => setTimeout(() => void this.refresh()));
    for (const el of this.filter.querySelectorAll("select, input[type=date]")) el.addEventListener("change", () => void this.refresh());
    byId("designs-tag-add", HTMLButtonElement).addEventListener("click", () => void this.retag("add"));
    byId("designs-tag-remove", HTMLButtonElement).addEventListener("click", () => void this.retag("remove"));
    byId("designs-bulk-delete", HTMLButtonElement).addEventListener("click", () => void this.removeSelected());
    byId("designs-bulk-mockups", HTMLButtonElement).addEventListener("click", () => this.actions.makeMockups(this.selected()));
    byId("designs-bulk-print", HTMLButtonElement).addEventListener("click", () => this.actions.makePrintFiles(this.selected()));
    this.tagInput.addEventListener("input", () => this.selectionChanged());
    this.selectionChanged();
  }

  /** Shows the first page again, with the filters as they are now. */
  async refresh(): Promise<void> {
    this.query = new URLSearchParams();
    for (const [k, v] of new FormData(this.filter)) if (typeof v === "string" && v.trim()) this.query.set(k, v.trim());
    this.cursor = null;
    this.designs.clear();
    this.grid.replaceChildren();
    this.selection.clear();
    await this.loadPage();
  }

  /** A design changed elsewhere (its tags in the design dialog): its tile follows. */
  updated(d: Design): void {
    if (!this.designs.has(d.id)) return;
    this.designs.set(d.id, d);
    this.grid.querySelector(`li[data-design-id="${d.id}"] .tile__tags`)?.replaceWith(tagLine(d));
  }

  /** A print file made elsewhere (the print files dialog): the tile names the product it was made for. */
  printFileAdded(designId: string, print: OtherPrintFile): void {
    const d = this.designs.get(designId);
    if (!d || print.product === d.product) return;
    const others = [...(d.otherPrints ?? []).filter((p) => p.product !== print.product), { product: print.product, warnings: print.warnings }];
    const next = { ...d, otherPrints: others.sort((a, b) => a.product.localeCompare(b.product)) };
    this.designs.set(d.id, next);
    this.grid.querySelector(`li[data-design-id="${d.id}"] .design-tile__others`)?.replaceWith(otherPrints(next));
  }

  /** A design deleted elsewhere leaves the gallery. */
  removed(id: string): void {
    this.designs.delete(id);
    this.grid.querySelector(`li[data-design-id="${id}"]`)?.remove();
    this.selection.forget(id);
  }

  private selected(): Design[] {
    return this.selection.ids().flatMap((id) => this.designs.get(id) ?? []);
  }

  private selectionChanged(): void {
    const n = this.selection.ids().length;
    byId("designs-selected", HTMLSpanElement).textContent = n ? `${plural(n, "design")} selected` : "None selected";
    const tag = this.tagInput.value.trim() !== "";
    byId("designs-tag-add", HTMLButtonElement).disabled = !n || !tag;
    byId("designs-tag-remove", HTMLButtonElement).disabled = !n || !tag;
    byId("designs-bulk-delete", HTMLButtonElement).disabled = !n;
    byId("designs-bulk-mockups", HTMLButtonElement).disabled = !n;
    byId("designs-bulk-print", HTMLButtonElement).disabled = !n;
  }

  private async loadPage(focusNew = false): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.status.textContent = "Loading designs…";
    try {
      const q = new URLSearchParams(this.query);
      q.set("limit", String(PAGE_SIZE));
      if (this.cursor) q.set("cursor", this.cursor);
      const page = await apiJson<Page<Design>>(`/api/designs?${q}`);
      const firstNew = page.items.length ? this.grid.children.length : -1;
      for (const d of page.items) this.designs.set(d.id, d);
      this.grid.append(...page.items.map((d) => this.tile(d)));
      this.cursor = page.nextCursor;
      this.more.hidden = !page.nextCursor;
      const count = this.grid.children.length;
      const filtered = [...this.query.keys()].length > 0;
      this.status.textContent =
        count === 0
          ? filtered ? "No design matches. Change the search or the filters." : "No designs yet. Upload some on the Upload tab."
          : `Showing ${plural(count, "design")}${filtered ? " that match" : ""}${page.nextCursor ? "" : " (all of them)"}.`;
      this.selection.pageChanged();
      if (focusNew && firstNew >= 0) this.grid.children[firstNew]?.querySelector("input")?.focus();
    } catch (err) {
      this.status.textContent = `The designs could not be loaded: ${messageOf(err)}`;
    } finally {
      this.loading = false;
    }
  }

  private tile(d: Design): HTMLLIElement {
    const img = h("img", { class: "tile__image", alt: "", width: 176, height: 176 });
    showApiImage(img, thumbnailUrl(d.id), { lazy: true });
    return h(
      "li",
      { class: "tile design-tile", "data-design-id": d.id },
      h("input", { type: "checkbox", class: "design-tile__select", "aria-label": `Select ${d.filename}`, "data-id": d.id }),
      h("button", { type: "button", class: "design-tile__open", "aria-label": `Open ${d.filename} large`, onclick: () => this.actions.open(this.designs.get(d.id) ?? d) }, img),
      h("p", { class: "tile__title" }, d.filename),
      h("p", { class: "tile__meta" }, [d.product, d.kind, d.print ? printSizeText(d.print) : "", formatSize(d.width, d.height), formatBytes(d.bytes)].filter(Boolean).join(" · ")),
      warningList(d.print?.warnings),
      otherPrints(d),
      h("p", { class: "tile__meta" }, [d.mockupCount ? plural(d.mockupCount, "mockup") : "no mockups", d.onEtsy ? "on Etsy" : ""].filter(Boolean).join(" · ")),
      tagLine(d),
    );
  }

  private async retag(how: "add" | "remove"): Promise<void> {
    const tag = this.tagInput.value.trim().toLowerCase();
    const ids = this.selection.ids();
    if (!tag || !ids.length) return;
    try {
      const { results } = await apiJson<{ results: BulkOutcome[] }>("/api/designs/tags", jsonBody("POST", { designIds: ids, [how]: [tag] }));
      for (const r of results) {
        const d = this.designs.get(r.id);
        if (r.ok && d && r.tags) this.updated({ ...d, tags: r.tags });
      }
      const failed = results.filter((r) => !r.ok);
      const done = results.length - failed.length;
      this.say(`${how === "add" ? "Tagged" : "Untagged"} ${plural(done, "design")} "${tag}"${failed.length ? `; ${failed.length} not: ${failed[0]!.error?.message ?? ""}` : "."}`);
      this.tagInput.value = "";
      this.selectionChanged();
    } catch (err) {
      this.say(`The tags could not be changed: ${messageOf(err)}`);
    }
  }

  private async removeSelected(): Promise<void> {
    const ids = this.selection.ids();
    if (!ids.length || !confirm(`Delete ${plural(ids.length, "design")}? They will no longer appear here or count as duplicates.`)) return;
    try {
      const { results } = await apiJson<{ results: BulkOutcome[] }>("/api/designs/delete", jsonBody("POST", { designIds: ids }));
      for (const r of results) if (r.ok) this.removed(r.id);
      const failed = results.filter((r) => !r.ok).length;
      this.say(`Deleted ${plural(results.length - failed, "design")}${failed ? `; ${failed} could not be deleted` : "."}`);
      this.grid.querySelector<HTMLInputElement>("input.design-tile__select")?.focus();
    } catch (err) {
      this.say(`The designs could not be deleted: ${messageOf(err)}`);
    }
  }

  private say(text: string): void {
    this.status.textContent = text;
    announce(text);
  }
}

/** A tile's tags, as small labels. */
function tagLine(d: Design): HTMLElement {
  return h("p", { class: "tile__tags tag-list" }, ...d.tags.map((t) => h("span", { class: "tag" }, t)));
}

/** The products added to a design after its upload, and what preflight said of their print files. */
function otherPrints(d: Design): HTMLDivElement {
  const others = d.otherPrints ?? [];
  const warnings = others.flatMap((p) => p.warnings.map((w) => ({ ...w, message: `${p.product}: ${w.message}` })));
  return h(
    "div",
    { class: "design-tile__others" },
    others.length ? h("p", { class: "tile__meta" }, `Also for ${others.map((p) => p.product).join(", ")}`) : null,
    warningList(warnings),
  );
}
