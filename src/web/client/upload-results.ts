import type { Design, DuplicateFile, RejectedFile, UploadResult } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { h } from "./dom.ts";
import { formatBytes, formatSize, plural, printSizeText } from "./format.ts";
import { warningList } from "./print-warnings.ts";
import { reasonText } from "./reason-text.ts";

/** The API address of a design's thumbnail. */
export const thumbnailUrl = (designId: string) => `/api/designs/${encodeURIComponent(designId)}/thumbnail`;

/** "3 added, 1 duplicate, 1 refused." */
export function summaryText(r: UploadResult): string {
  return `${plural(r.created.length, "design")} added, ${plural(r.duplicates.length, "duplicate")}, ${r.rejected.length} refused.`;
}

/** What a seller can do with a duplicate row; a missing one is not offered. */
export interface DuplicateActions {
  /** Upload that file again, kept although it is a duplicate (undefined: the file is not at hand). */
  keep?(d: DuplicateFile, row: HTMLLIElement): void;
  /** Make the matched design's print file for the upload's product. */
  useForProduct?(d: DuplicateFile, row: HTMLLIElement): void;
}

/** One row per file of an upload's answer: added, duplicate (with what it matches) or refused (why). */
export function uploadResultRows(r: UploadResult, actions: DuplicateActions = {}): HTMLLIElement[] {
  return [...r.created.map(createdRow), ...r.duplicates.map((d) => duplicateRow(d, actions)), ...r.rejected.map(rejectedRow)];
}

/** "poster · physical · 9.6 × 6.4 in at 400 DPI · 3840 × 2560 px · 12 MB". */
function designMeta(d: Design): string {
  const print = printSizeText(d);
  return [d.product, d.kind, print, `${formatSize(d.width, d.height)} px`, formatBytes(d.bytes)].filter(Boolean).join(" · ");
}

export function createdRow(d: Design): HTMLLIElement {
  const img = h("img", { class: "thumb", alt: `Thumbnail of ${d.filename}`, width: 64, height: 64 });
  showApiImage(img, thumbnailUrl(d.id));
  return h(
    "li",
    { class: "result result--created", "data-outcome": "created", "data-design-id": d.id },
    img,
    h(
      "div",
      { class: "result__body" },
      h("p", null, h("strong", null, d.filename), " ", h("span", { class: "badge badge--created" }, d.keptDuplicateOf ? "Added (kept anyway)" : "Added")),
      h("p", { class: "muted small" }, designMeta(d)),
      warningList(d.warnings),
    ),
  );
}

function duplicateRow(d: DuplicateFile, actions: DuplicateActions): HTMLLIElement {
  const matchId = d.duplicateOf.id;
  let picture: HTMLElement;
  if (matchId) {
    const img = h("img", { class: "thumb", alt: `Your design ${d.duplicateOf.filename}`, width: 64, height: 64 });
    showApiImage(img, thumbnailUrl(matchId));
    picture = img;
  } else {
    picture = h("div", { class: "thumb thumb--missing", "aria-hidden": "true" }, "=");
  }
  const added = d.addedPrintFile;
  const row: HTMLLIElement = h(
    "li",
    { class: "result result--duplicate", "data-outcome": "duplicate", "data-duplicate-of": matchId ?? null },
    picture,
    h(
      "div",
      { class: "result__body" },
      h("p", null, h("strong", null, d.filename), " ", h("span", { class: "badge badge--duplicate" }, added ? "Duplicate, product added" : "Duplicate, not added")),
      h("p", { class: "small" }, d.reason ?? duplicateText(d)),
      added ? h("p", { class: "small", "data-added-product": added.product }, `Added a ${added.product} print file to ${d.duplicateOf.filename}: ${printSizeText(added)}.`) : null,
      added ? warningList(added.warnings) : null,
      h("p", { class: "result__status small", role: "status" }),
    ),
  );
  const buttons: HTMLButtonElement[] = [];
  if (d.addProduct && actions.useForProduct) {
    const p = d.addProduct.product;
    buttons.push(h("button", { type: "button", class: "button button--small", "data-action": "use-for-product", onclick: () => actions.useForProduct!(d, row) }, `Use for this product (${p})`));
  }
  if (actions.keep && !added) {
    buttons.push(h("button", { type: "button", class: "button button--quiet button--small", "data-action": "keep", onclick: () => actions.keep!(d, row) }, "Keep anyway"));
  }
  if (buttons.length > 0) row.querySelector(".result__body")!.append(h("div", { class: "actions" }, ...buttons));
  return row;
}

/** Shows what an action on a row is doing or did, and stops its buttons from being pressed twice. */
export function rowStatus(row: HTMLLIElement, text: string, busy: boolean): void {
  const status = row.querySelector(".result__status");
  if (status) status.textContent = text;
  for (const b of row.querySelectorAll("button")) b.disabled = busy;
}

/** What a duplicate matches and how closely, in words (for answers of servers without `reason`). */
export function duplicateText(d: DuplicateFile): string {
  const match = d.duplicateOf.filename;
  if (d.tier === "batch") return `The same picture as ${match}, earlier in this upload.`;
  if (d.hash === "bytes") return `Identical to your design ${match} (exact match: the same bytes).`;
  if (d.tier === "exact") return `The same picture as your design ${match} (exact match on ${d.hash}).`;
  return `Nearly the same picture as your design ${match} (near match: ${d.hash} distance ${d.distance}).`;
}

function rejectedRow(r: RejectedFile): HTMLLIElement {
  return h(
    "li",
    { class: "result result--rejected", "data-outcome": "rejected", "data-code": r.error.code },
    h("div", { class: "thumb thumb--missing", "aria-hidden": "true" }, "✕"),
    h(
      "div",
      { class: "result__body" },
      h("p", null, h("strong", null, r.filename), " ", h("span", { class: "badge badge--rejected" }, "Refused")),
      h("p", { class: "small" }, reasonText(r.error)),
    ),
  );
}
