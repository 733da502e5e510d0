import { apiJson, messageOf } from "./api-client.ts";
import type { Template } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { plural } from "./format.ts";
import { PsdImportForm } from "./psd-import-form.ts";
import { TemplateEditor } from "./template-editor.ts";

/**
 * Templates: the list (built-in and the shop's own; each opens in the editor, the shop's own can
 * be deleted) and the corner editor that makes one from a photo.
 */
export class TemplatesPanel {
  private readonly list = byId("template-list", HTMLUListElement);
  private readonly status = byId("templates-status", HTMLParagraphElement);
  private readonly editor = new TemplateEditor(() => this.refresh());

  constructor(private readonly onTemplates: (templates: Template[]) => void) {
    byId("templates-refresh", HTMLButtonElement).addEventListener("click", () => void this.refresh());
    new PsdImportForm(() => this.refresh());
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
    const edit = h(
      "button",
      { type: "button", class: "button button--quiet button--small", "aria-label": `${t.builtIn ? "Edit a copy of" : "Edit"} the template ${t.name}`, onclick: () => void this.editor.open(t) },
      t.builtIn ? "Edit a copy" : "Edit",
    );
    return h(
      "li",
      { class: "tile", "data-template-id": t.id },
      img,
      h("p", { class: "tile__title" }, t.name),
      h("p", { class: "tile__meta" }, `${t.room} · ${t.width} × ${t.height} · ${plural(t.placements.length, "placement")}${t.builtIn ? " · built in" : ""}`),
      h(
        "div",
        { class: "actions" },
        edit,
        t.builtIn
          ? null
          : h("button", { type: "button", class: "button button--danger button--small", "aria-label": `Delete the template ${t.name}`, onclick: () => void this.remove(t) }, "Delete"),
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
}
