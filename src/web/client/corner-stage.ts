import { h } from "./dom.ts";
import { meshOutline, type Point, type TemplateDraft } from "./template-draft.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const CORNER_NAMES = ["top-left", "top-right", "bottom-right", "bottom-left"];
/** How much larger the magnifier shows the photo than the stage does. */
const ZOOM = 4;
const MAGNIFIER_PX = 150;
/** Placement colours: told apart on light and dark photos, each with a white outline. */
const COLOURS = ["#1d4ed8", "#b42318", "#166534", "#7c3aed", "#c2410c", "#0f766e", "#be185d", "#4d7c0f"];

/**
 * The photo shown large with four draggable handles per placement: mouse and touch (pointer
 * events), arrow keys for the focused handle (Shift: ten times as far), a magnifier near the
 * pointer while dragging, and a mode that paints a rectangle out of a placement's mask.
 */
export class CornerStage {
  readonly element: HTMLDivElement;
  private readonly photo = h("canvas", { class: "stage__photo", "aria-hidden": "true" });
  private readonly overlay = document.createElementNS(SVG_NS, "svg");
  private readonly magnifier = h("canvas", { class: "stage__magnifier", width: MAGNIFIER_PX, height: MAGNIFIER_PX, "aria-hidden": "true", hidden: true });
  private handles: HTMLButtonElement[] = [];
  private draft: TemplateDraft | undefined;
  private painting: { index: number; done: () => void } | undefined;

  /** `onChange(final)`: corners or a mask moved; final is false while a drag is still going. */
  constructor(private readonly onChange: (final: boolean) => void) {
    this.overlay.setAttribute("class", "stage__overlay");
    this.overlay.setAttribute("preserveAspectRatio", "none");
    this.overlay.setAttribute("aria-hidden", "true");
    this.element = h("div", { class: "stage", id: "editor-stage" }, this.photo);
    this.element.append(this.overlay, this.magnifier);
    this.element.addEventListener("pointerdown", (e) => this.startPainting(e));
  }

  /** Shows the draft's photo and its placements' handles. */
  show(draft: TemplateDraft): void {
    this.draft = draft;
    const { bitmap, width, height } = draft.photo;
    // Drawn at up to twice its shown size, so it stays sharp on high-DPI screens.
    const k = Math.min(1, 1800 / Math.max(width, height));
    this.photo.width = Math.round(width * k);
    this.photo.height = Math.round(height * k);
    this.photo.getContext("2d")?.drawImage(bitmap, 0, 0, this.photo.width, this.photo.height);
    this.element.style.aspectRatio = `${width} / ${height}`;
    this.overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.rebuild();
  }

  /** Handles anew (placements were added or removed). */
  rebuild(): void {
    for (const b of this.handles) b.remove();
    this.handles = [];
    const d = this.draft;
    if (!d) return;
    d.placements.forEach((p, i) => {
      p.corners.forEach((_, k) => {
        const b = h("button", { type: "button", class: "handle", "data-placement": i, "data-corner": k, style: `--colour: ${COLOURS[i % COLOURS.length]}` }, String(k + 1));
        b.addEventListener("pointerdown", (e) => this.drag(e, b, i, k));
        b.addEventListener("keydown", (e) => this.nudge(e, i, k));
        b.addEventListener("blur", () => (this.magnifier.hidden = true));
        this.handles.push(b);
        this.element.append(b);
      });
    });
    this.redraw();
  }

  /** Outlines, masks and handle positions from the draft. */
  redraw(): void {
    const d = this.draft;
    if (!d) return;
    const { width, height } = d.photo;
    const unit = Math.max(width, height) / 600;
    this.overlay.replaceChildren();
    d.placements.forEach((p, i) => {
      const colour = COLOURS[i % COLOURS.length]!;
      // A mesh warp shows its curved edges (they follow the corners); other placements their quad.
      const outline = meshOutline(p);
      const poly = document.createElementNS(SVG_NS, outline ? "path" : "polygon");
      if (outline) poly.setAttribute("d", outline);
      else poly.setAttribute("points", p.corners.map(([x, y]) => `${x},${y}`).join(" "));
      poly.setAttribute("fill", colour);
      poly.setAttribute("fill-opacity", "0.15");
      poly.setAttribute("stroke", colour);
      poly.setAttribute("stroke-width", String(2 * unit));
      poly.setAttribute("stroke-linejoin", "round");
      this.overlay.append(poly);
      if (p.mask?.kind === "rect") {
        const [x0, y0, x1, y1] = p.mask.rect;
        const r = document.createElementNS(SVG_NS, "rect");
        for (const [k, v] of [["x", Math.min(x0, x1)], ["y", Math.min(y0, y1)], ["width", Math.abs(x1 - x0)], ["height", Math.abs(y1 - y0)]] as const) r.setAttribute(k, String(v));
        r.setAttribute("fill", "#1c1c21");
        r.setAttribute("fill-opacity", "0.45");
        r.setAttribute("stroke", "#ffffff");
        r.setAttribute("stroke-dasharray", `${4 * unit} ${3 * unit}`);
        r.setAttribute("stroke-width", String(1.5 * unit));
        this.overlay.append(r);
      }
    });
    for (const b of this.handles) {
      const i = Number(b.dataset.placement);
      const k = Number(b.dataset.corner);
      const p = d.placements[i]!;
      const [x, y] = p.corners[k]!;
      b.style.left = `${(x / width) * 100}%`;
      b.style.top = `${(y / height) * 100}%`;
      b.setAttribute("aria-label", `Placement ${p.id || i + 1}, corner ${k + 1} (${CORNER_NAMES[k]}): x ${Math.round(x)}, y ${Math.round(y)}. Arrow keys move it.`);
    }
  }

  /** Waits for the seller to drag a rectangle on the photo: placement `index`'s mask paints it out. */
  paintMask(index: number, done: () => void): void {
    this.painting = { index, done };
    this.element.classList.add("stage--painting");
  }

  /** Leaves the painting mode (Esc, or the placement went); its `done` hears it either way. */
  cancelPainting(): void {
    const painting = this.painting;
    this.painting = undefined;
    this.element.classList.remove("stage--painting");
    painting?.done();
  }

  private toPhoto(e: PointerEvent): Point {
    const d = this.draft!;
    const r = this.element.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * d.photo.width;
    const y = ((e.clientY - r.top) / r.height) * d.photo.height;
    return [clamp(x, 0, d.photo.width), clamp(y, 0, d.photo.height)];
  }

  private drag(e: PointerEvent, b: HTMLButtonElement, i: number, k: number): void {
    if (this.painting || !this.draft) return;
    e.preventDefault();
    e.stopPropagation();
    b.focus();
    b.setPointerCapture(e.pointerId);
    const p = this.draft.placements[i]!;
    const move = (ev: PointerEvent) => {
      p.corners[k] = this.toPhoto(ev);
      this.redraw();
      this.magnify(i, k, ev.clientX, ev.clientY);
      this.onChange(false);
    };
    const end = () => {
      b.removeEventListener("pointermove", move);
      b.removeEventListener("pointerup", end);
      b.removeEventListener("pointercancel", end);
      this.magnifier.hidden = true;
      this.onChange(true);
    };
    b.addEventListener("pointermove", move);
    b.addEventListener("pointerup", end);
    b.addEventListener("pointercancel", end);
    this.magnify(i, k, e.clientX, e.clientY);
  }

  private nudge(e: KeyboardEvent, i: number, k: number): void {
    const d = this.draft;
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!d || !dir) return;
    e.preventDefault();
    // One step is one screen pixel of the stage, at least one photo pixel.
    const step = Math.max(1, d.photo.width / this.element.getBoundingClientRect().width) * (e.shiftKey ? 10 : 1);
    const c = d.placements[i]!.corners;
    c[k] = [clamp(c[k]![0] + dir[0]! * step, 0, d.photo.width), clamp(c[k]![1] + dir[1]! * step, 0, d.photo.height)];
    this.redraw();
    const r = this.element.getBoundingClientRect();
    this.magnify(i, k, r.left + (c[k]![0] / d.photo.width) * r.width, r.top + (c[k]![1] / d.photo.height) * r.height);
    this.onChange(true);
  }

  /** The photo around corner k of placement i, enlarged, beside the pointer (not under the finger). */
  private magnify(i: number, k: number, clientX: number, clientY: number): void {
    const d = this.draft!;
    const ctx = this.magnifier.getContext("2d");
    if (!ctx) return;
    const r = this.element.getBoundingClientRect();
    const shown = r.width / d.photo.width; // screen pixels per photo pixel
    const span = MAGNIFIER_PX / (shown * ZOOM); // photo pixels across the magnifier
    const [cx, cy] = d.placements[i]!.corners[k]!;
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = "#e9e9ee";
    ctx.fillRect(0, 0, MAGNIFIER_PX, MAGNIFIER_PX);
    const b = d.photo.bitmap.width / d.photo.width; // the kept bitmap may be smaller than the photo
    ctx.drawImage(d.photo.bitmap, (cx - span / 2) * b, (cy - span / 2) * b, span * b, span * b, 0, 0, MAGNIFIER_PX, MAGNIFIER_PX);
    // The placement's two sides at this corner, and a cross on the corner itself.
    const toMag = ([x, y]: Point): Point => [((x - cx) / span + 0.5) * MAGNIFIER_PX, ((y - cy) / span + 0.5) * MAGNIFIER_PX];
    const corners = d.placements[i]!.corners;
    ctx.strokeStyle = COLOURS[i % COLOURS.length]!;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(...toMag(corners[(k + 3) % 4]!));
    ctx.lineTo(...toMag(corners[k]!));
    ctx.lineTo(...toMag(corners[(k + 1) % 4]!));
    ctx.stroke();
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(MAGNIFIER_PX / 2 - 12, MAGNIFIER_PX / 2);
    ctx.lineTo(MAGNIFIER_PX / 2 + 12, MAGNIFIER_PX / 2);
    ctx.moveTo(MAGNIFIER_PX / 2, MAGNIFIER_PX / 2 - 12);
    ctx.lineTo(MAGNIFIER_PX / 2, MAGNIFIER_PX / 2 + 12);
    ctx.stroke();
    ctx.strokeStyle = "#1c1c21";
    ctx.lineWidth = 1;
    ctx.stroke();
    // Up and to the side of the pointer, flipped where it would leave the stage.
    const gap = 36;
    let left = clientX - r.left + gap;
    let top = clientY - r.top - MAGNIFIER_PX - gap;
    if (left + MAGNIFIER_PX > r.width) left = clientX - r.left - MAGNIFIER_PX - gap;
    if (top < 0) top = clientY - r.top + gap;
    this.magnifier.style.left = `${clamp(left, 0, Math.max(0, r.width - MAGNIFIER_PX))}px`;
    this.magnifier.style.top = `${clamp(top, 0, Math.max(0, r.height - MAGNIFIER_PX))}px`;
    this.magnifier.hidden = false;
  }

  private startPainting(e: PointerEvent): void {
    const painting = this.painting;
    const d = this.draft;
    if (!painting || !d || e.target instanceof HTMLButtonElement) return;
    e.preventDefault();
    this.element.setPointerCapture(e.pointerId);
    const start = this.toPhoto(e);
    const p = d.placements[painting.index]!;
    p.mask = { kind: "rect", rect: [start[0], start[1], start[0], start[1]] };
    const move = (ev: PointerEvent) => {
      const [x, y] = this.toPhoto(ev);
      p.mask = { kind: "rect", rect: [start[0], start[1], x, y] };
      this.redraw();
    };
    const end = () => {
      this.element.removeEventListener("pointermove", move);
      this.element.removeEventListener("pointerup", end);
      this.element.removeEventListener("pointercancel", end);
      const [x0, y0, x1, y1] = (p.mask as { rect: [number, number, number, number] }).rect;
      p.mask = { kind: "rect", rect: [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)] };
      this.cancelPainting(); // calls done
      this.redraw();
      this.onChange(true);
    };
    this.element.addEventListener("pointermove", move);
    this.element.addEventListener("pointerup", end);
    this.element.addEventListener("pointercancel", end);
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
