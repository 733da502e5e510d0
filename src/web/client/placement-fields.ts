import { h } from "./dom.ts";
import type { PlacementDraft } from "./template-draft.ts";

/** What a placement's fields ask of the editor. */
export interface PlacementActions {
  /** A choice changed; `final` false while typing. */
  changed(final: boolean): void;
  /** The stage shows the placement's id or mask anew. */
  redraw(): void;
  /** The stage waits for a rectangle to paint out of placement `index`'s mask. */
  paintMask(index: number, done: () => void): void;
  remove(index: number): void;
}

/**
 * One placement's box under the photo: its id, blend, fit, shading (multiply only), mask (a PNG,
 * or a rectangle painted out on the photo), a place for its problems, and Remove.
 */
export function placementFields(p: PlacementDraft, i: number, on: PlacementActions): HTMLFieldSetElement {
  const prefix = `editor-p${i}`;
  const select = (id: string, value: string, options: Array<[string, string]>, onChange: (v: string) => void) => {
    const el = h("select", { id }, ...options.map(([v, label]) => h("option", { value: v }, label)));
    el.value = value;
    el.addEventListener("change", () => onChange(el.value));
    return el;
  };
  const idInput = h("input", { id: `${prefix}-id`, value: p.id, autocomplete: "off", spellcheck: "false" });
  idInput.addEventListener("input", () => {
    p.id = idInput.value;
    legend.textContent = `Placement ${p.id || i + 1}`;
    on.changed(false);
    on.redraw();
  });
  const shading = h("input", { id: `${prefix}-shading`, type: "range", min: 0, max: 100, step: 5, value: Math.round(p.shading * 100) });
  const shadingValue = h("output", { for: shading.id }, `${Math.round(p.shading * 100)}%`);
  const shadingField = h("div", { class: "field", hidden: p.blend !== "multiply" }, h("label", { for: shading.id }, "Shading from the photo: ", shadingValue), shading);
  shading.addEventListener("input", () => (shadingValue.textContent = `${shading.value}%`));
  shading.addEventListener("change", () => {
    p.shading = Number(shading.value) / 100;
    on.changed(true);
  });
  const maskInput = h("input", { id: `${prefix}-mask`, type: "file", accept: "image/png", class: "visually-hidden" });
  const maskState = h("span", { class: "muted small", id: `${prefix}-mask-state` }, describeMask(p));
  maskInput.addEventListener("change", async () => {
    const file = maskInput.files?.[0];
    if (!file) return;
    try {
      p.mask = { kind: "file", blob: file, bitmap: await createImageBitmap(file), label: file.name };
    } catch {
      maskState.textContent = "The browser cannot read this mask; choose a PNG.";
      return;
    }
    maskState.textContent = describeMask(p);
    on.redraw();
    on.changed(true);
  });
  const paint = h("button", { type: "button", class: "button button--quiet button--small", id: `${prefix}-paint` }, "Paint out a rectangle");
  paint.addEventListener("click", () => {
    maskState.textContent = "Drag a rectangle on the photo over what should stay in front of the artwork (Esc cancels).";
    on.paintMask(i, () => (maskState.textContent = describeMask(p)));
  });
  const clearMask = h("button", { type: "button", class: "button button--quiet button--small" }, "No mask");
  clearMask.addEventListener("click", () => {
    delete p.mask;
    maskInput.value = "";
    maskState.textContent = describeMask(p);
    on.redraw();
    on.changed(true);
  });
  const legend = h("legend", null, `Placement ${p.id || i + 1}`);
  return h(
    "fieldset",
    { class: "placement-fields", "data-placement": i },
    legend,
    h(
      "div",
      { class: "field-row" },
      h("div", { class: "field" }, h("label", { for: idInput.id }, "Placement id"), idInput),
      h(
        "div",
        { class: "field" },
        h("label", { for: `${prefix}-blend` }, "Blend"),
        // An opened template's other mode (screen, say) stays on offer: choosing nothing keeps it.
        select(`${prefix}-blend`, p.blend, [["multiply", "Multiply (shaded by the photo)"], ["normal", "Normal (flat)"], ...(p.blend === "multiply" || p.blend === "normal" ? [] : [[p.blend, `${p.blend[0]!.toUpperCase()}${p.blend.slice(1).replace("-", " ")} (as opened)`] as [string, string]])], (v) => {
          p.blend = v as PlacementDraft["blend"];
          shadingField.hidden = p.blend !== "multiply";
          on.changed(true);
        }),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: `${prefix}-fit` }, "Fit"),
        select(`${prefix}-fit`, p.fit, [["cover", "Fill (crops)"], ["contain", "Whole (margins)"], ["stretch", "Stretch (distorts, as Photoshop does)"]], (v) => {
          p.fit = v as PlacementDraft["fit"];
          on.changed(true);
        }),
      ),
      shadingField,
    ),
    h(
      "div",
      { class: "actions" },
      h("span", { class: "small" }, "Mask:"),
      h("label", { for: maskInput.id, class: "button button--quiet button--small" }, "Choose a mask PNG"),
      maskInput,
      paint,
      clearMask,
      maskState,
    ),
    h("ul", { class: "field-problems", id: `${prefix}-problem`, "aria-live": "polite" }),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "button button--danger button--small", "aria-label": `Remove placement ${p.id || i + 1}`, onclick: () => on.remove(i) }, "Remove placement"),
    ),
  );
}

function describeMask(p: PlacementDraft): string {
  if (!p.mask) return "none: the artwork shows over the whole placement.";
  if (p.mask.kind === "file") return `${p.mask.label}.`;
  const [x0, y0, x1, y1] = p.mask.rect.map(Math.round) as [number, number, number, number];
  return `a rectangle painted out, ${x1 - x0} × ${y1 - y0} px at (${x0}, ${y0}).`;
}
