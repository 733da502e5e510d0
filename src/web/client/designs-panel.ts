import { apiJson, messageOf } from "./api-client.ts";
import type { Design, Page } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { byId, h } from "./dom.ts";
import { formatBytes, formatSize, printSizeText } from "./format.ts";
import { warningList } from "./print-warnings.ts";
import { fetchApiBlob, safeFileName, saveBlob } from "./save-file.ts";
import { thumbnailUrl } from "./upload-results.ts";

const PAGE_SIZE = 24;

/** The gallery of the shop's designs: thumbnails, newest first, a page at a time; download, delete, make mockups. */
export class DesignsPanel {
  private readonly grid = byId("design-grid", HTMLUListElement);
  private readonly more = byId("designs-more", HTMLButtonElement);
  private readonly status = byId("designs-status", HTMLParagraphElement);
  private cursor: string | null = null;
  private loading = false;

  constructor(
    private readonly onMakeMockups: (design: Design) => void,
    private readonly onCreateListing: (design: Design) => void,
  ) {
    byId("designs-refresh", HTMLButtonElement).addEventListener("click", () => void this.refresh());
    this.more.addEventListener("click", () => void this.loadPage(true));
  }

  /** Shows the first page again. */
  async refresh(): Promise<void> {
    this.cursor = null;
    this.grid.replaceChildren();
    await this.loadPage();
  }

  private async loadPage(focusNew = false): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.status.textContent = "Loading designs…";
    try {
      const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (this.cursor) q.set("cursor", this.cursor);
      const page = await apiJson<Page<Design>>(`/api/designs?${q}`);
      const firstNew = page.items.length ? this.grid.children.length : -1;
      this.grid.append(...page.items.map((d) => this.tile(d)));
      this.cursor = page.nextCursor;
      this.more.hidden = !page.nextCursor;
      const count = this.grid.children.length;
      this.status.textContent = count === 0 ? "No designs yet. Upload some on the Upload tab." : `Showing ${count} design${count === 1 ? "" : "s"}${page.nextCursor ? "" : " (all of them)"}.`;
      // After "Show more", keyboard users continue from the first new design.
      if (focusNew && firstNew >= 0) this.grid.children[firstNew]?.querySelector("button")?.focus();
    } catch (err) {
      this.status.textContent = `The designs could not be loaded: ${messageOf(err)}`;
    } finally {
      this.loading = false;
    }
  }

  private tile(d: Design): HTMLLIElement {
    const img = h("img", { class: "tile__image", alt: d.filename, width: 176, height: 176 });
    showApiImage(img, thumbnailUrl(d.id), { lazy: true });
    const li: HTMLLIElement = h(
      "li",
      { class: "tile", "data-design-id": d.id },
      img,
      h("p", { class: "tile__title" }, d.filename),
      h("p", { class: "tile__meta" }, [d.product, d.kind, d.print ? printSizeText(d.print) : "", formatSize(d.width, d.height), formatBytes(d.bytes)].filter(Boolean).join(" · ")),
      warningList(d.print?.warnings),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Make mockups of ${d.filename}`, onclick: () => this.onMakeMockups(d) }, "Mockups"),
        h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Create an Etsy listing of ${d.filename}`, onclick: () => this.onCreateListing(d) }, "List on Etsy"),
        h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Download the print file of ${d.filename}`, onclick: () => void this.download(d) }, "Download"),
        h("button", { type: "button", class: "button button--danger button--small", "aria-label": `Delete ${d.filename}`, onclick: () => void this.remove(d, li) }, "Delete"),
      ),
    );
    return li;
  }

  private async download(d: Design): Promise<void> {
    this.status.textContent = `Downloading ${d.filename}…`;
    try {
      saveBlob(await fetchApiBlob(`/api/designs/${encodeURIComponent(d.id)}/file`), `${safeFileName(d.filename)}.png`);
      this.status.textContent = "";
    } catch (err) {
      this.status.textContent = `The download failed: ${messageOf(err)}`;
    }
  }

  private async remove(d: Design, li: HTMLLIElement): Promise<void> {
    if (!confirm(`Delete "${d.filename}"? It will no longer appear here or count as a duplicate.`)) return;
    try {
      await apiJson<void>(`/api/designs/${encodeURIComponent(d.id)}`, { method: "DELETE" });
      // Focus goes to the neighbour, so keyboard users are not dropped at the top of the page.
      const next = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector("button");
      li.remove();
      next?.focus();
      this.status.textContent = `${d.filename} deleted.`;
    } catch (err) {
      this.status.textContent = `${d.filename} could not be deleted: ${messageOf(err)}`;
    }
  }
}
