import { ApiError, apiJson, messageOf } from "./api-client.ts";
import type { EtsyListing, EtsyListingsPage } from "./api-types.ts";
import { byId, h } from "./dom.ts";
import { plural } from "./format.ts";

const PAGE = 20;

/** Said when the shop has no Etsy connection yet (the picker's 409, or the publish request's). */
export const NOT_CONNECTED = "This shop is not connected to Etsy yet. Connect it in the Shop tab, then publish again.";

/**
 * The Publish dialog's list of the shop's Etsy listings (GET /api/shop/etsy/listings), drafts or
 * active ones, 20 at a time, one to pick. A listing's thumbnail is Etsy's; one that does not load
 * (or none) shows a plain box.
 */
export class ListingPicker {
  private readonly list = byId("publish-listings", HTMLUListElement);
  private readonly status = byId("publish-listings-status", HTMLParagraphElement);
  private readonly more = byId("publish-listings-more", HTMLButtonElement);
  private loaded = 0;
  /** Bumped by every reload, so an answer for an earlier state is dropped. */
  private generation = 0;

  constructor(private readonly form: HTMLFormElement, onPick: () => void) {
    for (const radio of this.stateRadios()) radio.addEventListener("change", () => void this.reload());
    this.more.addEventListener("click", () => void this.load(this.generation));
    this.list.addEventListener("change", onPick);
  }

  /** The picked listing's id, if any. */
  get selected(): string | undefined {
    return this.list.querySelector<HTMLInputElement>('input[name="listing"]:checked')?.value;
  }

  /** Unpicks, e.g. when an id is typed instead. */
  clearSelection(): void {
    for (const input of this.list.querySelectorAll<HTMLInputElement>('input[name="listing"]')) input.checked = false;
  }

  /** Loads the first page for the chosen state. */
  async reload(): Promise<void> {
    this.generation++;
    this.loaded = 0;
    this.list.replaceChildren();
    this.more.hidden = true;
    await this.load(this.generation);
  }

  private stateRadios(): HTMLInputElement[] {
    return [...this.form.querySelectorAll<HTMLInputElement>('input[name="listingState"]')];
  }

  private async load(generation: number): Promise<void> {
    const state = this.stateRadios().find((r) => r.checked)?.value ?? "draft";
    this.status.textContent = "Loading your Etsy listings…";
    this.more.disabled = true;
    try {
      const page = await apiJson<EtsyListingsPage>(`/api/shop/etsy/listings?state=${state}&limit=${PAGE}&offset=${this.loaded}`);
      if (generation !== this.generation) return;
      this.list.append(...page.items.map((l) => option(l)));
      this.loaded += page.items.length;
      this.more.hidden = this.loaded >= page.count || page.items.length === 0;
      const kind = state === "draft" ? "draft" : "active listing";
      this.status.textContent = page.count === 0 ? `No ${kind}s in your Etsy shop.` : `${plural(page.count, kind)} in your Etsy shop. Pick one:`;
    } catch (err) {
      if (generation !== this.generation) return;
      this.status.textContent = err instanceof ApiError && err.code === "etsy_not_connected" ? NOT_CONNECTED : `Your listings could not be loaded: ${messageOf(err)}`;
    } finally {
      this.more.disabled = false;
    }
  }
}

function option(l: EtsyListing): HTMLLIElement {
  const img = l.thumbnailUrl ? h("img", { class: "thumb", src: l.thumbnailUrl, alt: "", loading: "lazy" }) : h("span", { class: "thumb thumb--missing", "aria-hidden": "true" });
  if (img instanceof HTMLImageElement) img.addEventListener("error", () => img.replaceWith(h("span", { class: "thumb thumb--missing", "aria-hidden": "true" })), { once: true });
  return h(
    "li",
    { class: "listing-option", "data-listing-id": l.listingId },
    h(
      "label",
      null,
      h("input", { type: "radio", name: "listing", value: l.listingId }),
      img,
      h("span", null, h("span", { class: "listing-option__title" }, l.title), h("span", { class: "listing-option__meta" }, `${plural(l.imageCount, "image")} · #${l.listingId}`)),
    ),
  );
}
