import { apiFetch, errorOf, messageOf } from "./api-client.ts";
import { byId } from "./dom.ts";

/** What the request says about where the artwork goes; only what differs from the template's own. */
export interface PlacementFields {
  fit?: "cover" | "contain" | "stretch";
  scale?: number;
  offset?: { x: number; y: number };
  rotate?: number;
  background?: string;
}

const PREVIEW_DELAY_MS = 250;

/** What the preview shows: a template, perhaps in one of its colours, and how to name it. */
export interface PreviewTarget {
  designId: string;
  templateId: string | undefined;
  color?: string;
  label?: string;
}

/**
 * The Mockups tab's placement fields (fit, scale, offset, rotate, background) and their live
 * preview: one chosen template (in the colour last ticked) with the chosen design, rendered by
 * POST /api/mockups/preview a moment after the last change (a newer change drops the answer of
 * an older one).
 */
export class PlacementControls {
  private readonly fit = byId("placement-fit", HTMLSelectElement);
  private readonly scale = byId("placement-scale", HTMLInputElement);
  private readonly x = byId("placement-x", HTMLInputElement);
  private readonly y = byId("placement-y", HTMLInputElement);
  private readonly rotate = byId("placement-rotate", HTMLInputElement);
  private readonly background = byId("placement-background", HTMLInputElement);
  private readonly useBackground = byId("placement-use-background", HTMLInputElement);
  private readonly preview = byId("placement-preview", HTMLImageElement);
  private readonly status = byId("placement-status", HTMLParagraphElement);
  private readonly caption = byId("placement-caption", HTMLParagraphElement);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;
  private url: string | undefined;

  constructor(private readonly target: () => PreviewTarget) {
    byId("placement-fields", HTMLFieldSetElement).addEventListener("input", () => this.refresh());
  }

  /** The fields to send with a mockup request. */
  value(): PlacementFields {
    const v: PlacementFields = {};
    if (this.fit.value) v.fit = this.fit.value as PlacementFields["fit"];
    const scale = Number(this.scale.value);
    if (scale !== 1) v.scale = scale;
    const x = Number(this.x.value), y = Number(this.y.value);
    if (x !== 0 || y !== 0) v.offset = { x, y };
    const rotate = Number(this.rotate.value);
    if (rotate) v.rotate = rotate;
    if (this.useBackground.checked) v.background = this.background.value;
    return v;
  }

  /** Asks for a new preview soon (the design, the templates or a field changed). */
  refresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.show(), PREVIEW_DELAY_MS);
  }

  private async show(): Promise<void> {
    const { designId, templateId, color, label } = this.target();
    if (!designId || !templateId) {
      this.preview.hidden = true;
      this.caption.textContent = "";
      this.status.textContent = "Choose a design and a template to see where the artwork goes.";
      return;
    }
    const asked = ++this.asked;
    this.status.textContent = "Rendering the preview…";
    try {
      const res = await apiFetch("/api/mockups/preview", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ designId, templateId, ...(color ? { color } : {}), width: 480, ...this.value() }),
      });
      if (!res.ok) throw await errorOf(res);
      const blob = await res.blob();
      if (asked !== this.asked) return; // a newer change is on its way
      if (this.url) URL.revokeObjectURL(this.url);
      this.url = URL.createObjectURL(blob);
      this.preview.src = this.url;
      const shows = `${label ?? templateId}${color ? ` in ${color}` : ""}`;
      this.preview.alt = `Preview of ${shows} with this placement`;
      this.caption.textContent = `Preview: ${shows}`;
      this.preview.hidden = false;
      this.status.textContent = "";
    } catch (err) {
      if (asked === this.asked) this.status.textContent = `No preview: ${messageOf(err)}`;
    }
  }
}
