import type { Template } from "./api-types.ts";
import { h, replaceChildren } from "./dom.ts";
import { plural } from "./format.ts";

/** One mockup the form asks for: a template, in one of its colours or as photographed. */
export interface MockupEntry {
  templateId: string;
  color?: string;
}

type Color = NonNullable<Template["colors"]>[number];

/**
 * The Mockups tab's colour swatches: for each chosen template that has colourways, its colours
 * as named swatches (checkboxes, so Tab and Space work) and "All colours". Each ticked colour is
 * one mockup; none ticked is one mockup as photographed. Picks are kept per template while the
 * page lives, so unticking a template and ticking it again keeps its colours.
 */
export class TemplateColors {
  private readonly picked = new Map<string, Set<string>>();
  private templates: Template[] = [];
  // The colour last ticked, which the placement preview shows.
  private last: MockupEntry | undefined;

  constructor(
    private readonly list: HTMLElement,
    private readonly changed: () => void,
  ) {}

  /** Draws the swatches of the chosen templates that have colours (in the list's order). */
  show(templates: Template[], chosenIds: string[]): void {
    this.templates = templates;
    const chosen = new Set(chosenIds);
    const coloured = templates.filter((t) => chosen.has(t.id) && t.colors?.length);
    this.list.hidden = coloured.length === 0;
    // Redrawn only when the set of templates changes, so a swatch keeps the keyboard focus.
    const key = coloured.map((t) => t.id).join("\u0000");
    if (this.list.dataset.shown === key) return;
    this.list.dataset.shown = key;
    replaceChildren(this.list, ...coloured.map((t) => this.picker(t)));
  }

  /** The mockups for these templates: one per ticked colour (palette order), else one as photographed. */
  entries(templateIds: string[]): MockupEntry[] {
    return templateIds.flatMap((templateId) => {
      const colors = this.pickedColors(templateId);
      return colors.length ? colors.map((c) => ({ templateId, color: c.name })) : [{ templateId }];
    });
  }

  /** What the placement preview shows: the colour last ticked if its template is still chosen, else the first mockup. */
  previewEntry(templateIds: string[]): MockupEntry | undefined {
    const last = this.last;
    if (last?.color && templateIds.includes(last.templateId) && this.picked.get(last.templateId)?.has(last.color)) return last;
    return this.entries(templateIds)[0];
  }

  /** The swatch colour of a template's colour, if it has it. */
  hexOf(templateId: string, color: string | undefined): string | undefined {
    if (!color) return undefined;
    const lower = color.toLowerCase();
    return this.templates.find((t) => t.id === templateId)?.colors?.find((c) => c.name.toLowerCase() === lower)?.hex;
  }

  private pickedColors(templateId: string): Color[] {
    const set = this.picked.get(templateId);
    const palette = this.templates.find((t) => t.id === templateId)?.colors ?? [];
    return set?.size ? palette.filter((c) => set.has(c.name)) : [];
  }

  private picker(t: Template): HTMLFieldSetElement {
    const palette = t.colors ?? [];
    const set = this.picked.get(t.id) ?? new Set<string>();
    this.picked.set(t.id, set);
    const all = h("input", { type: "checkbox", class: "swatch__input", "data-all": "" });
    const boxes = palette.map((c) => h("input", { type: "checkbox", class: "swatch__input", value: c.name, checked: set.has(c.name) }));
    const state = h("span", { class: "muted small color-picker__state" });
    const sync = () => {
      all.checked = set.size === palette.length;
      all.indeterminate = set.size > 0 && set.size < palette.length;
      state.textContent = set.size === 0 ? "(none ticked: one mockup as photographed)" : `(${plural(set.size, "mockup")})`;
    };
    boxes.forEach((box, i) =>
      box.addEventListener("change", () => {
        const name = palette[i]!.name;
        if (box.checked) {
          set.add(name);
          this.last = { templateId: t.id, color: name };
        } else set.delete(name);
        sync();
        this.changed();
      }),
    );
    all.addEventListener("change", () => {
      // From some or none: all of them; from all: none.
      const on = all.checked;
      set.clear();
      palette.forEach((c, i) => {
        boxes[i]!.checked = on;
        if (on) set.add(c.name);
      });
      if (on) this.last = { templateId: t.id, color: palette[0]!.name };
      sync();
      this.changed();
    });
    sync();
    return h(
      "fieldset",
      { class: "color-picker", "data-template": t.id },
      h("legend", null, `Colours of ${t.name} `, state),
      h(
        "div",
        { class: "swatches" },
        h("label", { class: "swatch swatch--all" }, all, h("span", { class: "swatch__chip swatch__chip--all", "aria-hidden": "true" }), h("span", { class: "swatch__name" }, "All colours")),
        ...palette.map((c, i) => {
          const chip = h("span", { class: "swatch__chip", "aria-hidden": "true" });
          chip.style.backgroundColor = c.hex; // through the CSSOM: the page's CSP refuses style attributes
          return h("label", { class: "swatch", title: `${c.name} (${c.hex})`, "data-color": c.name }, boxes[i]!, chip, h("span", { class: "swatch__name" }, c.name));
        }),
      ),
    );
  }
}
