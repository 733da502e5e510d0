import { ApiError, apiFetch, apiJson, errorOf, messageOf } from "./api-client.ts";
import type { Design, Page, Template } from "./api-types.ts";
import { CornerStage } from "./corner-stage.ts";
import { draftForm, previewPhoto } from "./draft-files.ts";
import { DraftPreview } from "./draft-preview.ts";
import { placementFields, type PlacementActions } from "./placement-fields.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { jpegOrientation } from "./exif-orientation.ts";
import { reasonText } from "./reason-text.ts";
import { placeServerProblems } from "./server-problems.ts";
import {
  defaultCorners,
  draftProblems,
  MAX_PLACEMENTS,
  otherFields,
  type Blend,
  type Corners,
  type Fit,
  type PlacementDraft,
  type Problem,
  type ProblemTarget,
  type TemplateDraft,
} from "./template-draft.ts";

/** Longest side the photo is kept at for the stage and the magnifier (the original is what is saved). */
const SHOWN_SIDE = 4096;

interface Proposal {
  corners: Corners;
  confidence: number;
}

/** The manifest as GET /api/templates/:id answers it (the fields the editor shows; it keeps the others). */
interface StoredManifest {
  id: string;
  name: string;
  room: string;
  background: string;
  width: number;
  height: number;
  placements: Array<{ id: string; corners: Corners; blend: Blend; fit: Fit; shading: number; mask?: string }>;
}

/** GET /api/templates/:id: the template with its whole manifest and (shop templates) its version. */
interface StoredTemplate {
  builtIn: boolean;
  version?: string;
  manifest: StoredManifest & Record<string, unknown>;
}

/**
 * The corner editor: a photo in, a template out. The photo is shown large with draggable corners
 * (starting from the best print area the server finds), each placement's choices below it,
 * a live preview beside it, problems next to what they concern, and Save.
 */
export class TemplateEditor {
  private readonly photoInput = byId("editor-photo", HTMLInputElement);
  private readonly status = byId("editor-status", HTMLParagraphElement);
  private readonly body = byId("editor-body", HTMLDivElement);
  private readonly idInput = byId("editor-id", HTMLInputElement);
  private readonly nameInput = byId("editor-name", HTMLInputElement);
  private readonly roomInput = byId("editor-room", HTMLInputElement);
  private readonly size = byId("editor-size", HTMLParagraphElement);
  private readonly placementsBox = byId("editor-placements", HTMLDivElement);
  private readonly addButton = byId("editor-add-placement", HTMLButtonElement);
  private readonly proposalsNote = byId("editor-proposals", HTMLSpanElement);
  private readonly saveButton = byId("editor-save", HTMLButtonElement);
  private readonly saveStatus = byId("editor-save-status", HTMLParagraphElement);
  private readonly designSelect = byId("editor-design", HTMLSelectElement);
  private readonly stage = new CornerStage((final) => this.changed(final));
  private readonly preview = new DraftPreview(byId("editor-preview", HTMLImageElement), byId("editor-preview-status", HTMLParagraphElement), () => this.designSelect.value);
  private draft: TemplateDraft | undefined;
  private proposals: Proposal[] = [];
  private serverProblems: Problem[] = [];

  constructor(private readonly onSaved: (t: Template) => Promise<void>) {
    byId("editor-stage-slot", HTMLDivElement).replaceWith(this.stage.element);
    this.photoInput.addEventListener("change", () => {
      const file = this.photoInput.files?.[0];
      if (file) void this.startFromPhoto(file);
    });
    for (const [input, key] of [[this.idInput, "id"], [this.nameInput, "name"], [this.roomInput, "room"]] as const) {
      input.addEventListener("input", () => {
        if (!this.draft) return;
        this.draft[key] = input.value;
        this.serverProblems = this.serverProblems.filter((p) => p.target !== key);
        this.showProblems();
      });
    }
    const manifestInput = byId("editor-manifest", HTMLInputElement);
    manifestInput.addEventListener("change", () => {
      const f = manifestInput.files?.[0];
      if (f) void f.text().then((text) => this.takeManifest(text));
      manifestInput.value = "";
    });
    this.addButton.addEventListener("click", () => this.addPlacement());
    this.saveButton.addEventListener("click", () => void this.save());
    byId("editor-cancel", HTMLButtonElement).addEventListener("click", () => this.close());
    this.designSelect.addEventListener("change", () => this.draft && this.preview.schedule(this.draft));
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.stage.cancelPainting();
    });
  }

  /** A new template from a photo file: detection proposes the first placement. */
  async startFromPhoto(chosen: Blob & { name?: string }): Promise<void> {
    const file = await uprightPhoto(chosen);
    const shown = await this.readPhoto(file);
    if (!shown) return;
    const stem = (chosen.name ?? "photo").replace(/\.[^.]+$/, "");
    const id = stem.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[-_]+|[-_]+$/g, "").slice(0, 64);
    const words = stem.replace(/[-_]+/g, " ").trim();
    this.begin({
      id,
      name: words ? words[0]!.toUpperCase() + words.slice(1) : "",
      room: "",
      photo: { blob: file, fileName: chosen.name ?? "photo.jpg", ...shown },
      placements: [],
    });
    this.status.textContent = "Looking for the print area…";
    this.proposals = await this.detect(this.draft!);
    const best = this.proposals[0];
    this.draft!.placements.push(this.newPlacement(best?.corners));
    this.status.textContent = best
      ? `Found ${this.proposals.length === 1 ? "a print area" : `${this.proposals.length} possible print areas`}; the corners start on the likeliest (${Math.round(best.confidence * 100)}% sure). Drag them to adjust.`
      : "No print area was found by itself: drag the four corners onto the corners of the print area.";
    this.afterStructureChange();
  }

  /**
   * Opens a template in the editor: a shop template is saved over, a built-in one as a copy.
   * Only the photo and the placement masks are fetched; every other file (overlays, displacement
   * maps, the colourway mask, the sample) stays on the server with the fields that name them.
   */
  async open(t: Template): Promise<void> {
    this.status.textContent = `Opening ${t.name}…`;
    this.body.closest("section")?.scrollIntoView({ block: "start" });
    try {
      const stored = await apiJson<StoredTemplate>(`/api/templates/${encodeURIComponent(t.id)}`);
      const m = stored.manifest;
      // The version in the URL: a file replaced under the same name is not read from the browser's cache.
      const file = async (name: string) => {
        const res = await apiFetch(`/api/templates/${encodeURIComponent(t.id)}/files/${encodeURIComponent(name)}${stored.version ? `?v=${stored.version}` : ""}`);
        if (!res.ok) throw await errorOf(res);
        return res.blob();
      };
      const photo = await file(m.background);
      // Made through the API from a sideways-stored photo: the browser would show it turned.
      const sideways = jpegOrientation(new Uint8Array(await photo.slice(0, 128 * 1024).arrayBuffer())) !== 1;
      const shown = await this.readPhoto(photo);
      if (!shown) return;
      const placements: PlacementDraft[] = [];
      for (const p of m.placements) {
        const mask = p.mask ? await file(p.mask) : undefined;
        const corners = p.corners.map(([x, y]) => [x, y]) as Corners;
        placements.push({
          extra: otherFields(p, ["id", "corners", "blend", "fit", "shading", "mask"]),
          id: p.id,
          corners,
          openedCorners: corners.map(([x, y]) => [x, y]) as Corners,
          blend: p.blend,
          fit: p.fit,
          shading: p.shading,
          ...(mask ? { mask: { kind: "file" as const, blob: mask, bitmap: await createImageBitmap(mask), label: p.mask!, stored: p.mask! } } : {}),
        });
      }
      this.proposals = [];
      const extra = otherFields(m, ["id", "name", "room", "background", "width", "height", "placements"]);
      this.begin({
        id: stored.builtIn ? `${m.id}-copy` : m.id,
        name: stored.builtIn ? `${m.name} (copy)` : m.name,
        room: m.room,
        photo: { blob: photo, fileName: m.background, storedName: m.background, ...shown },
        placements,
        extra,
        source: { id: m.id, replaceable: !stored.builtIn, fileNames: storedFileNames(m) },
      });
      const kept = keptParts(m);
      this.status.textContent =
        (stored.builtIn ? `Editing a copy of the built-in template ${t.name}; it is saved as a new template.` : `Editing ${t.name}; saving replaces it.`) +
        (kept ? ` Kept as they are: its ${kept}.` : "");
      if (sideways) this.status.textContent += " Its photo is stored sideways with a rotation tag: the corners may not line up here; make it again from the photo instead.";
      this.afterStructureChange();
    } catch (err) {
      this.status.textContent = `${t.name} could not be opened: ${err instanceof ApiError ? reasonText(err) : messageOf(err)}`;
    }
  }

  /** The photo decoded for the stage, at most SHOWN_SIDE px long, and its own size. */
  /** Fills the draft from a template.json's text (the photo stays); says what it could not take. */
  private takeManifest(text: string): void {
    const d = this.draft;
    const note = byId("editor-manifest-note", HTMLParagraphElement);
    if (!d) return;
    let m: Partial<StoredManifest>;
    try {
      m = JSON.parse(text) as Partial<StoredManifest>;
    } catch {
      note.textContent = "That file is not a template.json: it is not valid JSON.";
      return;
    }
    const isCorners = (c: unknown): c is Corners => Array.isArray(c) && c.length === 4 && c.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === "number" && Number.isFinite(n)));
    const placements = (Array.isArray(m.placements) ? m.placements : []).filter((p) => isCorners(p?.corners)).slice(0, MAX_PLACEMENTS);
    if (!placements.length) {
      note.textContent = "That template.json has no placement with four corners [x, y]; nothing was taken.";
      return;
    }
    const str = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);
    d.id = str(m.id, d.id);
    d.name = str(m.name, d.name);
    d.room = str(m.room, d.room);
    this.idInput.value = d.id;
    this.nameInput.value = d.name;
    this.roomInput.value = d.room;
    // Corners are in the manifest's pixels; a photo of another size gets them scaled.
    const sx = typeof m.width === "number" && m.width > 0 ? d.photo.width / m.width : 1;
    const sy = typeof m.height === "number" && m.height > 0 ? d.photo.height / m.height : 1;
    d.placements = placements.map((p, i) => ({
      id: str(p.id, `p${i + 1}`),
      corners: p.corners.map(([x, y]) => [x * sx, y * sy]) as Corners,
      blend: p.blend === "normal" ? "normal" : p.blend === "multiply" ? "multiply" : "normal",
      fit: p.fit === "contain" ? "contain" : "cover",
      shading: typeof p.shading === "number" ? Math.min(1, Math.max(0, p.shading)) : 1,
    }));
    const masked = placements.filter((p) => p.mask).length;
    note.textContent = `Took ${d.placements.length === 1 ? "1 placement" : `${d.placements.length} placements`} from the file.${masked ? ` Choose the mask file again for ${masked === 1 ? "the placement that had one" : `the ${masked} placements that had one`}.` : ""}`;
    this.afterStructureChange();
  }

  private async readPhoto(file: Blob): Promise<{ bitmap: ImageBitmap; width: number; height: number } | undefined> {
    replaceChildren(byId("editor-photo-problem", HTMLUListElement));
    try {
      // Upright photos only (uprightPhoto): the browser's picture is then the stored one the renderer reads.
      const full = await createImageBitmap(file);
      const { width, height } = full;
      const k = SHOWN_SIDE / Math.max(width, height);
      if (k >= 1) return { bitmap: full, width, height };
      // A 24 MP photo is 96 MB decoded: the stage and the magnifier need far less.
      const bitmap = await createImageBitmap(full, { resizeWidth: Math.round(width * k), resizeHeight: Math.round(height * k), resizeQuality: "high" });
      full.close();
      return { bitmap, width, height };
    } catch {
      replaceChildren(byId("editor-photo-problem", HTMLUListElement), h("li", null, "The browser cannot read this photo. Choose a JPEG, PNG or WebP file."));
      return undefined;
    }
  }

  private begin(draft: TemplateDraft): void {
    this.draft?.photo.bitmap.close();
    this.draft = draft;
    this.serverProblems = [];
    this.idInput.value = draft.id;
    this.nameInput.value = draft.name;
    this.roomInput.value = draft.room;
    this.size.textContent = `Size: ${draft.photo.width} × ${draft.photo.height} pixels, from the photo.`;
    this.saveStatus.textContent = "";
    this.body.hidden = false;
    this.stage.show(draft);
    void this.loadDesigns();
  }

  private close(): void {
    this.stage.cancelPainting();
    this.draft?.photo.bitmap.close();
    this.draft = undefined;
    this.body.hidden = true;
    this.photoInput.value = "";
    this.status.textContent = "";
    this.preview.clear();
  }

  /** The print areas the server finds, in the photo's pixels. It is sent the preview's 800 px copy: detection works at 512 px anyway, and a 20 MB photo would be slow to send. */
  private async detect(d: TemplateDraft): Promise<Proposal[]> {
    try {
      const copy = await previewPhoto(d);
      const form = new FormData();
      form.append("photo", copy.blob, "photo.jpg");
      const res = await apiFetch("/api/templates/detect", { method: "POST", body: form });
      if (!res.ok) throw await errorOf(res);
      const { proposals } = (await res.json()) as { proposals: Proposal[] };
      return proposals.map((p) => ({ ...p, corners: p.corners.map(([x, y]) => [x / copy.scale, y / copy.scale]) as Corners }));
    } catch {
      return []; // detection only helps: the seller can still place the corners by hand
    }
  }

  private async loadDesigns(): Promise<void> {
    try {
      const page = await apiJson<Page<Design>>("/api/designs?limit=50");
      const chosen = this.designSelect.value;
      replaceChildren(this.designSelect, h("option", { value: "" }, "A sample pattern"), ...page.items.map((d) => h("option", { value: d.id }, d.filename)));
      this.designSelect.value = page.items.some((d) => d.id === chosen) ? chosen : (page.items[0]?.id ?? "");
    } catch {
      // the sample pattern still works
    }
    if (this.draft) this.preview.schedule(this.draft);
  }

  private newPlacement(corners?: Corners): PlacementDraft {
    const d = this.draft!;
    const used = new Set(d.placements.map((p) => p.id));
    let n = d.placements.length + 1;
    while (used.has(`p${n}`)) n++;
    return {
      id: `p${n}`,
      corners: (corners?.map(([x, y]) => [x, y]) as Corners | undefined) ?? defaultCorners(d.photo.width, d.photo.height, d.placements.length),
      blend: "multiply",
      fit: "cover",
      shading: 1,
    };
  }

  private addPlacement(): void {
    const d = this.draft;
    if (!d || d.placements.length >= MAX_PLACEMENTS) return;
    // The next print area found that no placement sits on yet.
    const free = this.proposals.find((q) => !d.placements.some((p) => p.corners.every((c, i) => Math.hypot(c[0] - q.corners[i]![0], c[1] - q.corners[i]![1]) < 0.02 * d.photo.width)));
    d.placements.push(this.newPlacement(free?.corners));
    this.afterStructureChange();
    this.placementsBox.querySelector<HTMLElement>(`[data-placement="${d.placements.length - 1}"] input`)?.focus();
  }

  private removePlacement(index: number): void {
    const d = this.draft;
    if (!d) return;
    d.placements.splice(index, 1);
    this.serverProblems = [];
    this.afterStructureChange();
  }

  private afterStructureChange(): void {
    const d = this.draft;
    if (!d) return;
    this.stage.cancelPainting(); // the placement it painted for may have gone
    this.stage.rebuild();
    const actions: PlacementActions = {
      changed: (final) => this.changed(final),
      redraw: () => this.stage.redraw(),
      paintMask: (i, done) => this.stage.paintMask(i, done),
      remove: (i) => this.removePlacement(i),
    };
    replaceChildren(this.placementsBox, ...d.placements.map((p, i) => placementFields(p, i, actions)));
    this.addButton.disabled = d.placements.length >= MAX_PLACEMENTS;
    this.proposalsNote.textContent = d.placements.length >= MAX_PLACEMENTS ? `A template has at most ${MAX_PLACEMENTS} placements.` : "";
    this.changed(true);
  }

  /** Corners, masks or choices changed: problems now, a preview once the change settles. */
  private changed(final: boolean): void {
    if (!this.draft) return;
    this.serverProblems = this.serverProblems.filter((p) => typeof p.target !== "number");
    this.showProblems();
    if (final) this.preview.schedule(this.draft);
  }

  /** Shows each problem next to what it concerns; fixed ones disappear. */
  private showProblems(): Problem[] {
    const d = this.draft;
    const problems = d ? [...draftProblems(d), ...this.serverProblems] : [];
    const lists = new Map<ProblemTarget, HTMLUListElement>([
      ["id", byId("editor-id-problem", HTMLUListElement)],
      ["name", byId("editor-name-problem", HTMLUListElement)],
      ["room", byId("editor-room-problem", HTMLUListElement)],
      ["photo", byId("editor-photo-problem", HTMLUListElement)],
      ["save", byId("editor-save-problem", HTMLUListElement)],
    ]);
    d?.placements.forEach((_, i) => {
      const ul = document.getElementById(`editor-p${i}-problem`);
      if (ul instanceof HTMLUListElement) lists.set(i, ul);
    });
    for (const [target, ul] of lists) {
      const own = problems.filter((p) => p.target === target || (target === "save" && typeof p.target === "number" && !lists.has(p.target)));
      replaceChildren(ul, ...own.map((p) => h("li", null, p.text)));
    }
    for (const [input, key] of [[this.idInput, "id"], [this.nameInput, "name"], [this.roomInput, "room"]] as const) {
      input.setAttribute("aria-invalid", String(problems.some((p) => p.target === key)));
    }
    return problems;
  }

  private async save(): Promise<void> {
    const d = this.draft;
    if (!d) return;
    if (this.showProblems().length) {
      this.saveStatus.textContent = "Not saved yet: fix the problems shown above.";
      return;
    }
    this.saveButton.disabled = true;
    this.saveStatus.textContent = "Checking and storing the template…";
    try {
      // Saved over the shop template it was opened from (PUT: checked in full and switched at
      // once, the files not sent kept), or as a new one (from the opened template's files, if any).
      const replace = d.source?.replaceable === true && d.source.id === d.id;
      const res = replace
        ? await apiFetch(`/api/templates/${encodeURIComponent(d.id)}`, { method: "PUT", body: await draftForm(d) })
        : await apiFetch("/api/templates", { method: "POST", body: await draftForm(d, { from: d.source?.id }) });
      if (!res.ok) throw await errorOf(res);
      const t = (await res.json()) as Template;
      this.close();
      this.status.textContent = `Template ${t.name} saved. It is in the list above and on the Mockups tab.`;
      await this.onSaved(t);
    } catch (err) {
      const lines = err instanceof ApiError ? (err.details as { problems?: unknown } | undefined)?.problems : undefined;
      this.serverProblems = Array.isArray(lines) ? placeServerProblems(lines.map(String)) : [];
      if (err instanceof ApiError && err.code === "template_exists") this.serverProblems.push({ target: "id", text: `${err.message}` });
      this.showProblems();
      this.saveStatus.textContent = `The template was not saved: ${err instanceof ApiError ? reasonText(err) : messageOf(err)}`;
    } finally {
      this.saveButton.disabled = false;
    }
  }
}

/** Every file a manifest names: new files are given other names. */
function storedFileNames(m: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const add = (v: unknown) => typeof v === "string" && names.add(v);
  add(m.background);
  add(m.sample);
  for (const p of (m.placements as Array<Record<string, unknown>>) ?? []) {
    add(p.mask);
    add((p.displacement as { map?: unknown } | undefined)?.map);
  }
  for (const o of (m.overlays as Array<{ file?: unknown }> | undefined) ?? []) add(o.file);
  add((m.colorways as { mask?: unknown } | undefined)?.mask);
  return [...names];
}

/** What an opened template has that the editor keeps without showing, in words ("overlays and colourways"), or "". */
function keptParts(m: Record<string, unknown>): string {
  const placements = (m.placements as Array<Record<string, unknown>>) ?? [];
  const parts = [
    placements.some((p) => (p.warp as { type?: string } | undefined)?.type === "mesh") ? "mesh warp" : "",
    placements.some((p) => (p.warp as { type?: string } | undefined)?.type === "cylinder") ? "cylinder warp" : "",
    placements.some((p) => p.displacement) ? "displacement map" : "",
    (m.overlays as unknown[] | undefined)?.length ? "overlays" : "",
    m.colorways ? "colourways" : "",
  ].filter(Boolean);
  if (!parts.length) return "";
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/**
 * A phone photo stored sideways with an EXIF orientation is turned upright once here (a JPEG at
 * quality 0.95 without the tag): the server reads every image as stored, so the template then
 * holds the picture the seller saw, and the corners are where they were put.
 */
async function uprightPhoto(file: Blob): Promise<Blob> {
  if (jpegOrientation(new Uint8Array(await file.slice(0, 128 * 1024).arrayBuffer())) === 1) return file;
  const bitmap = await createImageBitmap(file); // from-image: the EXIF turn applied
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b ?? file), "image/jpeg", 0.95));
}
