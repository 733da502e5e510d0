import type { MockupFailed, MockupMade } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { h, replaceChildren } from "./dom.ts";
import { reasonText } from "./reason-text.ts";

/** The template a tile stands for. */
interface TileTemplate {
  id: string;
  name: string;
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
  const img = h("img", { class: "tile__image tile__image--wide", alt: `${designName} on ${template.name}`, width: 256, height: 192 });
  showApiImage(img, made.previewUrl);
  replaceChildren(
    li,
    h(
      "button",
      { type: "button", class: "open-full", "aria-label": `Open the ${template.name} mockup at full size (${made.width} × ${made.height})`, onclick: on.open },
      img,
    ),
    h("p", { class: "tile__title" }, template.name),
    h("p", { class: "tile__meta" }, `${made.width} × ${made.height} px`),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Download the ${template.name} mockup`, onclick: on.download }, "Download"),
    ),
  );
}

/** A template that could not be used, and why. */
export function showFailedMockup(li: HTMLLIElement, failed: MockupFailed, template: TileTemplate): void {
  li.className = "tile mockup-tile mockup-tile--failed";
  replaceChildren(
    li,
    h("div", { class: "tile__image tile__image--wide thumb--missing", "aria-hidden": "true" }, "✕"),
    h("p", { class: "tile__title" }, template.name),
    h("p", { class: "error small", "data-code": failed.error.code }, `Not made: ${reasonText(failed.error)}`),
  );
}

/** A mockup still rendering (or, once the set has ended without it, not made). */
export function showPendingMockup(li: HTMLLIElement, template: TileTemplate, running: boolean): void {
  li.className = "tile mockup-tile mockup-tile--pending";
  replaceChildren(
    li,
    h("div", { class: "tile__image tile__image--wide" }, running ? h("div", { class: "spinner", "aria-hidden": "true" }) : null),
    h("p", { class: "tile__title" }, template.name),
    h("p", { class: "tile__meta" }, running ? "Rendering…" : "Not made."),
  );
}
