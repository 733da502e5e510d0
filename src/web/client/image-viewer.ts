import { messageOf } from "./api-client.ts";
import { byId } from "./dom.ts";
import { extensionOf, fetchApiBlob, saveBlob } from "./save-file.ts";

/** The full-size image dialog: shows an API image, offers its download; Esc or Close closes it. */
export class ImageViewer {
  private readonly dialog = byId("viewer", HTMLDialogElement);
  private readonly img = byId("viewer-image", HTMLImageElement);
  private readonly title = byId("viewer-title", HTMLHeadingElement);
  private readonly status = byId("viewer-status", HTMLParagraphElement);
  private current: { url: string; filename: string } | undefined;
  // Full-size images are large: only the one on show is kept, not cached like thumbnails.
  private objectUrl: string | undefined;

  constructor() {
    byId("viewer-close", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    byId("viewer-download", HTMLButtonElement).addEventListener("click", () => void this.download());
    // A click on the backdrop (outside the dialog's box) closes it too.
    this.dialog.addEventListener("click", (e) => {
      if (e.target === this.dialog) this.dialog.close();
    });
    this.dialog.addEventListener("close", () => {
      this.current = undefined;
      this.img.removeAttribute("src");
      if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = undefined;
    });
  }

  /** Opens the dialog on the image at `url`; `filename` (without extension) names its download. */
  open(url: string, title: string, alt: string, filename: string): void {
    this.current = { url, filename };
    this.title.textContent = title;
    this.img.alt = alt;
    this.img.removeAttribute("src");
    this.img.dataset.src = url;
    this.status.textContent = "Loading the full-size image…";
    this.dialog.showModal();
    fetchApiBlob(url).then(
      (blob) => {
        if (this.current?.url !== url) return;
        this.objectUrl = URL.createObjectURL(blob);
        this.img.src = this.objectUrl;
        this.status.textContent = "";
      },
      (err: unknown) => {
        if (this.current?.url === url) this.status.textContent = `The image could not be loaded: ${messageOf(err)}`;
      },
    );
  }

  private async download(): Promise<void> {
    const c = this.current;
    if (!c) return;
    try {
      const blob = await fetchApiBlob(c.url);
      saveBlob(blob, `${c.filename}.${extensionOf(blob.type)}`);
    } catch (err) {
      this.status.textContent = `The download failed: ${messageOf(err)}`;
    }
  }
}
