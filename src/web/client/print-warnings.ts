import type { PreflightWarning } from "./api-types.ts";
import { h } from "./dom.ts";

/** Preflight warnings as a short list (nothing when there are none). */
export function warningList(warnings: PreflightWarning[] | undefined): HTMLUListElement | null {
  if (!warnings || warnings.length === 0) return null;
  return h("ul", { class: "warnings small" }, ...warnings.map((w) => h("li", { class: "warning", "data-code": w.code }, w.message)));
}
