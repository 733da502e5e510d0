import type { Design, DuplicateFile, RejectedFile, UploadResult } from "./api-types.ts";
import { showApiImage } from "./authed-image.ts";
import { h } from "./dom.ts";
import { formatBytes, formatSize, plural } from "./format.ts";
import { reasonText } from "./reason-text.ts";

/** The API address of a design's thumbnail. */
export const thumbnailUrl = (designId: string) => `/api/designs/${encodeURIComponent(designId)}/thumbnail`;

/** "3 added, 1 duplicate, 1 refused." */
export function summaryText(r: UploadResult): string {
  return `${plural(r.created.length, "design")} added, ${plural(r.duplicates.length, "duplicate")}, ${r.rejected.length} refused.`;
}

/** One row per file of an upload's answer: added, duplicate (with what it matches) or refused (why). */
export function uploadResultRows(r: UploadResult): HTMLLIElement[] {
  return [...r.created.map(createdRow), ...r.duplicates.map(duplicateRow), ...r.rejected.map(rejectedRow)];
}

function createdRow(d: Design): HTMLLIElement {
  const img = h("img", { class: "thumb", alt: `Thumbnail of ${d.filename}`, width: 64, height: 64 });
  showApiImage(img, thumbnailUrl(d.id));
  return h(
    "li",
    { class: "result result--created", "data-outcome": "created", "data-design-id": d.id },
    img,
    h(
      "div",
      { class: "result__body" },
      h("p", null, h("strong", null, d.filename), " ", h("span", { class: "badge badge--created" }, "Added")),
      h("p", { class: "muted small" }, `${d.product} · ${d.kind} · ${formatSize(d.width, d.height)} px · ${formatBytes(d.bytes)}`),
    ),
  );
}

function duplicateRow(d: DuplicateFile): HTMLLIElement {
  const matchId = d.duplicateOf.id;
  let picture: HTMLElement;
  if (matchId) {
    const img = h("img", { class: "thumb", alt: `Your design ${d.duplicateOf.filename}`, width: 64, height: 64 });
    showApiImage(img, thumbnailUrl(matchId));
    picture = img;
  } else {
    picture = h("div", { class: "thumb thumb--missing", "aria-hidden": "true" }, "=");
  }
  return h(
    "li",
    { class: "result result--duplicate", "data-outcome": "duplicate", "data-duplicate-of": matchId ?? null },
    picture,
    h(
      "div",
      { class: "result__body" },
      h("p", null, h("strong", null, d.filename), " ", h("span", { class: "badge badge--duplicate" }, "Duplicate, not added")),
      h("p", { class: "small" }, duplicateText(d)),
    ),
  );
}

/** What a duplicate matches and how closely, in words. */
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
