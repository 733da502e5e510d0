import { ApiError, apiJson, jsonBody, messageOf } from "./api-client.ts";
import { JOB_TYPES, type ApiErrorBody, type JobDone, type JobLinks } from "./api-types.ts";
import { byId } from "./dom.ts";
import { plural } from "./format.ts";
import type { JobTracker } from "./job-tracker.ts";
import { ListingPicker, NOT_CONNECTED } from "./listing-picker.ts";
import { readSession, writeSession } from "./session-memory.ts";

const KEY = "atelier.publish";

/** The publish job on show, kept for reloads. */
interface Publishing {
  jobId: string;
  listingId: string;
  count: number;
  /** Images Etsy refused so far, in words. */
  refused?: string[];
}

/**
 * "Publish to Etsy": the seller picks one of the shop's listings (or types its id), then the mockups go to
 * POST /api/listings/:listingId/images, then follows that job's events like the others.
 */
export class EtsyPublisher {
  private readonly dialog = byId("publish-dialog", HTMLDialogElement);
  private readonly form = byId("publish-form", HTMLFormElement);
  private readonly listing = byId("publish-listing", HTMLInputElement);
  private readonly summary = byId("publish-summary", HTMLParagraphElement);
  private readonly error = byId("publish-error", HTMLParagraphElement);
  private readonly submit = byId("publish-submit", HTMLButtonElement);
  private readonly status = byId("publish-status", HTMLParagraphElement);
  private readonly picker: ListingPicker;
  private mockupIds: string[] = [];

  constructor(private readonly tracker: JobTracker) {
    // Picking a listing and typing an id exclude each other.
    this.picker = new ListingPicker(this.form, () => (this.listing.value = ""));
    this.listing.addEventListener("input", () => {
      if (this.listing.value.trim()) this.picker.clearSelection();
    });
    byId("publish-cancel", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    tracker.on((jobId, _type, e) => {
      const p = readSession<Publishing>(KEY);
      if (p?.jobId === jobId) this.onJobEvent(p, e.event, e.data);
    });
    const p = readSession<Publishing>(KEY);
    if (p) {
      this.status.textContent = `Publishing to Etsy listing ${p.listingId}…`;
      tracker.follow(p.jobId, JOB_TYPES.etsy);
    }
  }

  /** Opens the dialog for these mockups; `label` says what they are. */
  open(mockupIds: string[], label: string): void {
    this.mockupIds = mockupIds;
    this.summary.textContent = `Adds ${label} to the listing's images.`;
    this.error.textContent = "";
    this.submit.disabled = false;
    this.listing.value = "";
    this.dialog.showModal();
    void this.picker.reload();
  }

  private async send(): Promise<void> {
    const typed = this.listing.value.trim();
    const listingId = typed || this.picker.selected;
    if (listingId === undefined) {
      this.error.textContent = "Pick a listing, or enter its id.";
      return;
    }
    if (!/^\d{1,16}$/.test(listingId)) {
      this.error.textContent = "Enter the listing id: digits only.";
      this.listing.focus();
      return;
    }
    this.submit.disabled = true;
    this.error.textContent = "";
    try {
      const links = await apiJson<JobLinks>(`/api/listings/${listingId}/images`, jsonBody("POST", { mockupIds: this.mockupIds }));
      const p: Publishing = { jobId: links.jobId, listingId, count: this.mockupIds.length };
      writeSession(KEY, p);
      this.dialog.close();
      this.status.textContent = `Publishing ${plural(p.count, "image")} to Etsy listing ${listingId}…`;
      this.tracker.follow(links.jobId, JOB_TYPES.etsy);
    } catch (err) {
      // A 404 from the router (not for a mockup) means this server has no Etsy publishing to offer.
      const notConnected =
        err instanceof ApiError && ((err.status === 409 && err.code === "etsy_not_connected") || (err.status === 404 && err.message.startsWith("No route")));
      this.error.textContent = notConnected ? NOT_CONNECTED : `Publishing could not start: ${messageOf(err)}`;
      this.submit.disabled = false;
    }
  }

  private onJobEvent(p: Publishing, event: string, raw: string): void {
    const data = JSON.parse(raw) as Record<string, unknown>;
    let text: string | undefined;
    if (event === "progress") {
      const d = data as { done: number; total: number };
      text = `Publishing to Etsy listing ${p.listingId}: ${d.done} of ${plural(d.total, "image")} sent.`;
    } else if (event === "image-failed") {
      const d = data as { index: number; error: ApiErrorBody };
      p.refused = [...(p.refused ?? []), `image ${d.index + 1}: ${d.error.message}`];
      writeSession(KEY, p);
    } else if (event === "retrying") {
      text = `Etsy did not take the images yet; trying again shortly.`;
    } else if (event === "done") {
      const d = data as unknown as JobDone & { published?: number };
      const refused = p.refused?.length ? ` Not taken: ${p.refused.join("; ")}.` : "";
      text =
        d.state === "succeeded"
          ? `Published ${plural(d.published ?? p.count, "image")} to Etsy listing ${p.listingId}.${refused}`
          : d.state === "cancelled"
            ? "Publishing was cancelled."
            : `Publishing to Etsy failed: ${d.error?.code === "etsy_not_connected" ? NOT_CONNECTED : (d.error?.message ?? "no reason given.")}`;
      writeSession(KEY, undefined);
    } else if (event === "lost") {
      text = `Lost track of publishing: ${(data as { error: ApiErrorBody }).error.message}`;
      writeSession(KEY, undefined);
    }
    if (text) this.status.textContent = text;
  }
}
