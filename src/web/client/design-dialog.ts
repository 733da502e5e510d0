import { apiJson, jsonBody, messageOf } from "./api-client.ts";
import type { BulkOutcome, Design, MockupListed, Page, PrintFile } from "./api-types.ts";
import { authedImageUrl, showApiImage } from "./authed-image.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { formatBytes, formatSize, formatWhen, plural, printSizeText } from "./format.ts";
import type { ImageViewer } from "./image-viewer.ts";
import { warningList } from "./print-warnings.ts";
import { fetchApiBlob, safeFileName, saveBlob } from "./save-file.ts";

/** A design large (1200 px), its tags (add, remove), its print files and its mockups; opened by a click in the gallery. */
export class DesignDialog {
  private readonly dialog = byId("design-dialog", HTMLDialogElement);
  private readonly img = byId("design-dialog-image", HTMLImageElement);
  private readonly tags = byId("design-dialog-tags", HTMLUListElement);
  private readonly tagInput = byId("design-dialog-tag", HTMLInputElement);
  private readonly mockups = byId("design-dialog-mockups-list", HTMLUListElement);
  private readonly prints = byId("design-dialog-prints", HTMLUListElement);
  private readonly status = byId("design-dialog-status", HTMLParagraphElement);
  private design: Design | undefined;

  constructor(
    private readonly viewer: ImageViewer,
    private readonly on: { changed(d: Design): void; makeMockups(d: Design): void; createListing(d: Design): void },
  ) {
    byId("design-dialog-close", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("click", (e) => {
      if (e.target === this.dialog) this.dialog.close();
    });
    byId("design-dialog-download", HTMLButtonElement).addEventListener("click", () => void this.download());
    byId("design-dialog-mockups", HTMLButtonElement).addEventListener("click", () => {
      const d = this.design;
      this.dialog.close();
      if (d) this.on.makeMockups(d);
    });
    byId("design-dialog-listing", HTMLButtonElement).addEventListener("click", () => {
      const d = this.design;
      this.dialog.close();
      if (d) this.on.createListing(d);
    });
    byId("design-dialog-tag-form", HTMLFormElement).addEventListener("submit", (e) => {
      e.preventDefault();
      const tag = this.tagInput.value.trim().toLowerCase();
      if (tag) void this.retag({ add: [tag] });
    });
  }

  open(d: Design): void {
    this.design = d;
    byId("design-dialog-title", HTMLHeadingElement).textContent = d.filename;
    byId("design-dialog-meta", HTMLParagraphElement).textContent =
      `${d.product} · ${d.kind} · ${formatSize(d.width, d.height)} · ${formatBytes(d.bytes)} · added ${formatWhen(d.createdAt)}`;
    this.img.alt = `${d.filename}, large`;
    this.img.removeAttribute("src");
    // Shown small at once (the gallery already has it), then the large one replaces it.
    showApiImage(this.img, `/api/designs/${encodeURIComponent(d.id)}/thumbnail`);
    const large = `/api/designs/${encodeURIComponent(d.id)}/thumbnail?size=large`;
    void authedImageUrl(large).then(
      (url) => {
        if (this.design?.id !== d.id) return;
        this.img.dataset.src = large;
        this.img.src = url;
      },
      () => {},
    );
    this.showTags(d);
    this.status.textContent = "";
    this.dialog.showModal();
    void this.loadPrintFiles(d);
    void this.loadMockups(d);
  }

  /** Every print file of the design (one per product), from GET /api/designs/:id. */
  private async loadPrintFiles(d: Design): Promise<void> {
    replaceChildren(this.prints, h("li", { class: "muted small" }, "Loading…"));
    try {
      const { printFiles } = await apiJson<{ printFiles: PrintFile[] }>(`/api/designs/${encodeURIComponent(d.id)}`);
      if (this.design?.id !== d.id) return;
      replaceChildren(
        this.prints,
        printFiles.length ? null : h("li", { class: "muted small" }, "None."),
        ...printFiles.map((p) => {
          const size = printSizeText(p);
          return h(
            "li",
            { class: "print-file", "data-product": p.product },
            h(
              "div",
              { class: "print-file__text" },
              h("p", {}, h("span", { class: "print-file__product" }, p.product), p.product === d.product ? h("span", { class: "muted small" }, " · uploaded for") : null),
              h("p", { class: "muted small" }, [p.kind === "digital" ? "digital" : size, `${formatSize(p.width, p.height)} px`].filter(Boolean).join(" · ")),
              warningList(p.warnings),
            ),
            h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Download the ${p.product} print file`, onclick: () => void this.downloadPrint(d, p.product) }, "Download"),
          );
        }),
      );
    } catch (err) {
      replaceChildren(this.prints);
      this.status.textContent = `Its print files could not be loaded: ${messageOf(err)}`;
    }
  }

  private async downloadPrint(d: Design, product: string): Promise<void> {
    try {
      const url = `/api/designs/${encodeURIComponent(d.id)}/print-files/${encodeURIComponent(product)}`;
      saveBlob(await fetchApiBlob(url), `${safeFileName(d.filename)}-${product.replace(/[^A-Za-z0-9_-]+/g, "-")}.png`);
    } catch (err) {
      this.status.textContent = `The download failed: ${messageOf(err)}`;
    }
  }

  private showTags(d: Design): void {
    replaceChildren(
      this.tags,
      ...d.tags.map((t) =>
        h("li", { class: "tag" }, t, h("button", { type: "button", "aria-label": `Remove the tag ${t}`, onclick: () => void this.retag({ remove: [t] }) }, "×")),
      ),
      d.tags.length ? null : h("li", { class: "muted small" }, "No tags yet."),
    );
  }

  private async loadMockups(d: Design): Promise<void> {
    replaceChildren(this.mockups);
    try {
      const page = await apiJson<Page<MockupListed>>(`/api/mockups?designId=${encodeURIComponent(d.id)}&limit=24`);
      if (this.design?.id !== d.id) return;
      replaceChildren(
        this.mockups,
        page.items.length ? null : h("li", { class: "muted small" }, "None yet."),
        ...page.items.map((m) => {
          const img = h("img", { class: "tile__image tile__image--wide", alt: `${d.filename} on ${m.templateId}`, width: 152, height: 114 });
          showApiImage(img, m.previewUrl, { lazy: true });
          return h(
            "li",
            { class: "tile", "data-mockup-id": m.id },
            h("button", { type: "button", class: "design-tile__open", "aria-label": `Open the mockup on ${m.templateId}`, onclick: () => this.viewer.open(m.url, m.templateId, `${d.filename} on ${m.templateId}`, `${safeFileName(d.filename)}-${m.templateId}`) }, img),
            h("p", { class: "tile__meta" }, `${m.templateId} · ${formatWhen(m.createdAt)}`),
          );
        }),
        page.nextCursor ? h("li", { class: "muted small" }, `and more: ${plural(d.mockupCount, "mockup")} in all`) : null,
      );
    } catch (err) {
      this.status.textContent = `Its mockups could not be loaded: ${messageOf(err)}`;
    }
  }

  private async retag(change: { add?: string[]; remove?: string[] }): Promise<void> {
    const d = this.design;
    if (!d) return;
    try {
      const { results } = await apiJson<{ results: BulkOutcome[] }>("/api/designs/tags", jsonBody("POST", { designIds: [d.id], ...change }));
      const r = results[0];
      if (!r?.ok || !r.tags) throw new Error(r?.error?.message ?? "The tags were not changed.");
      this.design = { ...d, tags: r.tags };
      this.tagInput.value = "";
      this.showTags(this.design);
      this.on.changed(this.design);
    } catch (err) {
      this.status.textContent = `The tags could not be changed: ${messageOf(err)}`;
    }
  }

  private async download(): Promise<void> {
    const d = this.design;
    if (!d) return;
    try {
      saveBlob(await fetchApiBlob(`/api/designs/${encodeURIComponent(d.id)}/file`), `${safeFileName(d.filename)}.png`);
    } catch (err) {
      this.status.textContent = `The download failed: ${messageOf(err)}`;
    }
  }
}
