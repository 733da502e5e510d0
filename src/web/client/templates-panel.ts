import { ApiError, apiFetch, apiJson, errorOf, messageOf } from "./api-client.ts";
import type { Template } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { plural } from "./format.ts";
import { reasonText } from "./reason-text.ts";
import { checkDraft, drawPlacements, parseManifest } from "./template-corners-preview.ts";

/**
 * Templates: the list (built-in and the shop's own, which can be deleted), and the form that adds
 * one, with the placement corners drawn over the background before anything is sent.
 */
export class TemplatesPanel {
  private readonly list = byId("template-list", HTMLUListElement);
  private readonly status = byId("templates-status", HTMLParagraphElement);
  private readonly form = byId("template-form", HTMLFormElement);
  private readonly manifestFile = byId("template-manifest-file", HTMLInputElement);
  private readonly manifestText = byId("template-manifest", HTMLTextAreaElement);
  private readonly backgroundInput = byId("template-background", HTMLInputElement);
  private readonly masksInput = byId("template-masks", HTMLInputElement);
  private readonly canvas = byId("template-canvas", HTMLCanvasElement);
  private readonly problems = byId("template-problems", HTMLUListElement);
  private readonly submit = byId("template-submit", HTMLButtonElement);
  private readonly formStatus = byId("template-status", HTMLParagraphElement);
  private background: ImageBitmap | undefined;
  private redrawTimer: number | undefined;

  constructor(private readonly onTemplates: (templates: Template[]) => void) {
    byId("templates-refresh", HTMLButtonElement).addEventListener("click", () => void this.refresh());
    this.manifestFile.addEventListener("change", () => void this.readManifestFile());
    this.manifestText.addEventListener("input", () => {
      clearTimeout(this.redrawTimer);
      this.redrawTimer = window.setTimeout(() => this.redraw(), 250);
    });
    this.backgroundInput.addEventListener("change", () => void this.readBackground());
    this.masksInput.addEventListener("change", () => this.redraw());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
  }

  /** Loads the templates and hands them to the mockups panel too. */
  async refresh(): Promise<void> {
    this.status.textContent = "Loading templates…";
    try {
      const { items } = await apiJson<{ items: Template[] }>("/api/templates");
      replaceChildren(this.list, ...items.map((t) => this.tile(t)));
      this.status.textContent = `${plural(items.length, "template")}.`;
      this.onTemplates(items);
    } catch (err) {
      this.status.textContent = `The templates could not be loaded: ${messageOf(err)}`;
    }
  }

  private tile(t: Template): HTMLLIElement {
    const img = h("img", { class: "tile__image tile__image--wide", alt: `Preview of ${t.name}`, width: 176, height: 132 });
    showApiImage(img, t.previewUrl, { lazy: true });
    return h(
      "li",
      { class: "tile", "data-template-id": t.id },
      img,
      h("p", { class: "tile__title" }, t.name),
      h("p", { class: "tile__meta" }, `${t.room} · ${t.width} × ${t.height} · ${plural(t.placements.length, "placement")}`),
      t.builtIn
        ? h("p", { class: "tile__meta" }, "Built in")
        : h(
            "div",
            { class: "actions" },
            h("button", { type: "button", class: "button button--danger button--small", "aria-label": `Delete the template ${t.name}`, onclick: () => void this.remove(t) }, "Delete"),
          ),
    );
  }

  private async remove(t: Template): Promise<void> {
    if (!confirm(`Delete the template "${t.name}"? Mockups already made stay.`)) return;
    try {
      await apiJson<void>(`/api/templates/${encodeURIComponent(t.id)}`, { method: "DELETE" });
      await this.refresh();
      this.status.textContent = `Template ${t.name} deleted.`;
    } catch (err) {
      this.status.textContent = `${t.name} could not be deleted: ${messageOf(err)}`;
    }
  }

  private async readManifestFile(): Promise<void> {
    const file = this.manifestFile.files?.[0];
    if (!file) return;
    this.manifestText.value = await file.text();
    this.redraw();
  }

  private async readBackground(): Promise<void> {
    this.background?.close();
    this.background = undefined;
    const file = this.backgroundInput.files?.[0];
    if (file) {
      try {
        this.background = await createImageBitmap(file);
      } catch {
        this.showProblems(["The browser cannot read this background image. Use a JPEG or PNG."]);
        return;
      }
    }
    this.redraw();
  }

  private maskNames(): string[] {
    return [...(this.masksInput.files ?? [])].map((f) => f.name);
  }

  /** Redraws the preview and lists what looks wrong. */
  private redraw(): void {
    const { manifest, errors } = parseManifest(this.manifestText.value);
    const problems = [...errors];
    if (manifest) problems.push(...checkDraft(manifest, this.background, this.maskNames()));
    if (manifest && typeof manifest.background === "string" && this.backgroundInput.files?.[0] && this.backgroundInput.files[0].name !== manifest.background) {
      problems.push(`The manifest names the background ${manifest.background}; the chosen file is ${this.backgroundInput.files[0].name}. It is sent as the background anyway.`);
    }
    this.showProblems(problems);
    const bg = this.background;
    this.canvas.hidden = !bg;
    if (!bg) return;
    drawPlacements(this.canvas, bg, manifest ?? {});
    const n = Array.isArray(manifest?.placements) ? manifest.placements.length : 0;
    this.canvas.setAttribute("aria-label", `The background (${bg.width} × ${bg.height}) with ${plural(n, "placement")} outlined, corners numbered 1 to 4 from the top left, clockwise.`);
  }

  private showProblems(problems: string[]): void {
    replaceChildren(this.problems, ...problems.map((p) => h("li", null, p)));
  }

  private async send(): Promise<void> {
    const background = this.backgroundInput.files?.[0];
    if (!background) return void (this.formStatus.textContent = "Choose the background image.");
    const form = new FormData();
    form.append("manifest", this.manifestText.value);
    form.append("background", background, background.name);
    for (const mask of this.masksInput.files ?? []) form.append("masks", mask, mask.name);
    this.submit.disabled = true;
    this.formStatus.textContent = "Checking and storing the template…";
    try {
      const res = await apiFetch("/api/templates", { method: "POST", body: form });
      if (!res.ok) throw await errorOf(res);
      const t = (await res.json()) as Template;
      this.formStatus.textContent = `Template ${t.name} added.`;
      this.form.reset();
      this.background?.close();
      this.background = undefined;
      this.redraw();
      await this.refresh();
    } catch (err) {
      const details = err instanceof ApiError ? (err.details as { problems?: unknown } | undefined)?.problems : undefined;
      if (Array.isArray(details)) this.showProblems(details.map(String));
      this.formStatus.textContent = `The template was not added: ${err instanceof ApiError ? reasonText(err) : messageOf(err)}`;
    } finally {
      this.submit.disabled = false;
    }
  }
}
