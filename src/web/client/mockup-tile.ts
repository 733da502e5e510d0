import type { MockupFailed, MockupMade } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { h, replaceChildren } from "./dom.ts";
import { reasonText } from "./reason-text.ts";

/** The template a tile stands for, and the colour it is made in, if any. */
interface TileTemplate {
  id: string;
  name: string;
  color?: string;
  hex?: string;
}

// "T-shirt in heather navy": what the mockup shows, for labels.
const shown = (t: TileTemplate) => (t.color ? `${t.name} in ${t.color}` : t.name);

/** The tile's title, and under it the colour as a swatch and its name. */
function titleOf(t: TileTemplate): Node[] {
  const title = h("p", { class: "tile__title" }, t.name);
  if (!t.color) return [title];
  const chip = h("span", { class: "swatch__chip swatch__chip--small", "aria-hidden": "true" });
  if (t.hex) chip.style.backgroundColor = t.hex; // the CSSOM: the page's CSP refuses style attributes
  return [title, h("p", { class: "tile__meta tile__color", "data-color": t.color }, chip, `Colour: ${t.color}`)];
}

/** A finished mockup: its preview (a button opening the full image) and a download button. */
export function showMadeMockup(
  li: HTMLLIElement,
  made: MockupMade,
  template: TileTemplate,
  designName: string,
  on: { open(): void; download(): void },
): void {
  li.className = "tile mockup-tile mockup-tile--ready";
  li.dataset.mockupId = made.mockupId;
  const img = h("img", { class: "tile__image tile__image--wide", alt: `${designName} on ${shown(template)}`, width: 256, height: 192 });
  showApiImage(img, made.previewUrl);
  replaceChildren(
    li,
    h(
      "button",
      { type: "button", class: "open-full", "aria-label": `Open the ${shown(template)} mockup at full size (${made.width} × ${made.height})`, onclick: on.open },
      img,
    ),
    ...titleOf(template),
    h("p", { class: "tile__meta" }, `${made.width} × ${made.height} px`),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Download the ${shown(template)} mockup`, onclick: on.download }, "Download"),
    ),
  );
}

/** A template that could not be used, and why. */
export function showFailedMockup(li: HTMLLIElement, failed: MockupFailed, template: TileTemplate): void {
  li.className = "tile mockup-tile mockup-tile--failed";
  replaceChildren(
    li,
    h("div", { class: "tile__image tile__image--wide thumb--missing", "aria-hidden": "true" }, "✕"),
    ...titleOf(template),
    h("p", { class: "error small", "data-code": failed.error.code }, `Not made: ${reasonText(failed.error)}`),
  );
}

/** A mockup still rendering (or, once the set has ended without it, not made). */
export function showPendingMockup(li: HTMLLIElement, template: TileTemplate, running: boolean): void {
  li.className = "tile mockup-tile mockup-tile--pending";
  replaceChildren(
    li,
    h("div", { class: "tile__image tile__image--wide" }, running ? h("div", { class: "spinner", "aria-hidden": "true" }) : null),
    ...titleOf(template),
    h("p", { class: "tile__meta" }, running ? "Rendering…" : "Not made."),
  );
}
