import { apiFetch, errorOf } from "./api-client.ts";
import { draftForm, previewPhoto } from "./draft-files.ts";
import { reasonText } from "./reason-text.ts";
import { draftProblems, type TemplateDraft } from "./template-draft.ts";

/** Quiet time after a change before a preview is asked for, so a drag is not a request per pixel. */
const SETTLE_MS = 120;

/**
 * The editor's live preview: the draft rendered by the server (POST /api/templates/preview) with
 * the chosen design. One request at a time; changes during it are sent once it is back.
 */
export class DraftPreview {
  private timer: number | undefined;
  private running = false;
  private again = false;
  private shownUrl: string | undefined;
  private draft: TemplateDraft | undefined;

  constructor(
    private readonly img: HTMLImageElement,
    private readonly status: HTMLElement,
    private readonly designId: () => string,
  ) {}

  /** Asks for a new preview of `draft` soon. */
  schedule(draft: TemplateDraft): void {
    this.draft = draft;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.run(), SETTLE_MS);
  }

  /** Forgets the draft (the editor closed). */
  clear(): void {
    clearTimeout(this.timer);
    this.draft = undefined;
    if (this.shownUrl) URL.revokeObjectURL(this.shownUrl);
    this.shownUrl = undefined;
    this.img.removeAttribute("src");
    this.img.hidden = true;
    this.status.textContent = "";
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    const d = this.draft;
    if (!d) return;
    // Names do not matter to a preview; shapes that cannot render would only be refused.
    if (draftProblems(d).some((p) => typeof p.target === "number" || p.target === "photo")) {
      this.status.textContent = "The preview waits until the placements can be rendered (see the problems below).";
      return;
    }
    this.running = true;
    try {
      const form = await draftForm(d, { preview: await previewPhoto(d), from: d.source?.id });
      const designId = this.designId();
      if (designId) form.append("designId", designId);
      this.status.textContent = "Rendering the preview…";
      const started = performance.now();
      const res = await apiFetch("/api/templates/preview", { method: "POST", body: form });
      if (!res.ok) throw await errorOf(res);
      const url = URL.createObjectURL(await res.blob());
      if (this.draft !== d) return URL.revokeObjectURL(url);
      if (this.shownUrl) URL.revokeObjectURL(this.shownUrl);
      this.shownUrl = url;
      this.img.src = url;
      this.img.hidden = false;
      this.img.dataset.renders = String(Number(this.img.dataset.renders ?? 0) + 1);
      this.status.textContent = `Preview updated (${Math.round(performance.now() - started)} ms).`;
    } catch (err) {
      this.status.textContent = `The preview could not be made: ${err instanceof Error && "code" in err ? reasonText(err as { code: string; message: string }) : String(err)}`;
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        void this.run();
      }
    }
  }
}
