import { apiJson, messageOf } from "./api-client.ts";
import { JOB_TYPES, type Job, type Page } from "./api-types.ts";
import { announce } from "./announce.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { formatWhen, plural } from "./format.ts";
import type { JobTracker } from "./job-tracker.ts";
import { reasonText } from "./reason-text.ts";
import { fetchApiBlob, saveBlob } from "./save-file.ts";

/** While a listed job is queued or running, the list is read again this often. */
const POLL_MS = 4_000;

const TYPE_NAMES: Record<string, string> = {
  [JOB_TYPES.upload]: "Upload",
  [JOB_TYPES.mockups]: "Mockups",
  [JOB_TYPES.batch]: "Bulk mockups",
  [JOB_TYPES.etsy]: "Publish to Etsy",
  [JOB_TYPES.listing]: "Etsy listing",
};

const STATE_NAMES: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

/**
 * The jobs panel: the shop's recent jobs (GET /api/jobs) with state and progress. Jobs this tab
 * follows update live from their events; the rest are read again every few seconds while any is
 * still queued or running. Queued and running jobs can be cancelled.
 */
export class JobsPanel {
  private readonly list = byId("job-list", HTMLUListElement);
  private readonly connection = byId("jobs-connection", HTMLParagraphElement);
  private jobs: Job[] = [];
  private pollTimer: number | undefined;
  private refreshSoon: number | undefined;

  constructor(tracker: JobTracker) {
    byId("jobs-refresh", HTMLButtonElement).addEventListener("click", () => void this.refresh());
    tracker.on((jobId, _type, e) => this.onJobEvent(jobId, e.event, e.data));
    tracker.onConnection((n) => {
      this.connection.textContent = n > 0 ? `Connection lost. Reconnecting to ${plural(n, "job")}…` : "";
      if (n === 0) announce("Reconnected.");
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void this.refresh();
    });
  }

  /** Reads the list again. */
  async refresh(): Promise<void> {
    clearTimeout(this.pollTimer);
    try {
      const page = await apiJson<Page<Job>>("/api/jobs?limit=20");
      this.jobs = page.items;
      this.render();
    } catch (err) {
      this.connection.textContent = `The jobs could not be loaded: ${messageOf(err)}`;
    }
    if (this.jobs.some((j) => j.state === "queued" || j.state === "running")) {
      this.pollTimer = window.setTimeout(() => void this.refresh(), POLL_MS);
    }
  }

  private onJobEvent(jobId: string, event: string, raw: string): void {
    const job = this.jobs.find((j) => j.id === jobId);
    if (!job) {
      // A job this tab just started: the list is read again once, shortly.
      clearTimeout(this.refreshSoon);
      this.refreshSoon = window.setTimeout(() => void this.refresh(), 300);
      return;
    }
    const data = JSON.parse(raw) as Record<string, unknown>;
    if (event === "started") job.state = "running";
    else if (event === "progress") job.progress = data as { done: number; total: number };
    else if (event === "requeued" || event === "retrying" || event === "deferred") job.state = "queued";
    else if (event === "succeeded" || event === "failed" || event === "cancelled") {
      job.state = event;
      if (event === "failed") job.error = (data as { error?: Job["error"] }).error ?? null;
      if (event === "succeeded") job.result = (data as { result?: unknown }).result;
    } else return;
    this.render();
  }

  private render(): void {
    replaceChildren(this.list, this.jobs.length ? null : h("li", { class: "muted small" }, "No jobs yet."), ...this.jobs.map((j) => this.row(j)));
  }

  private row(j: Job): HTMLLIElement {
    const active = j.state === "queued" || j.state === "running";
    const title = j.title || (TYPE_NAMES[j.type] ?? j.type.replace(/[-_]+/g, " ").replace(/^./, (c) => c.toUpperCase()));
    const progress = j.progress && j.progress.total > 0 ? j.progress : undefined;
    return h(
      "li",
      { class: "job", "data-job-id": j.id, "data-state": j.state },
      h(
        "div",
        { class: "job__head" },
        h("span", { class: "job__title" }, title),
        h("span", { class: `badge badge--${j.state}` }, STATE_NAMES[j.state] ?? j.state),
      ),
      progress
        ? h(
            "div",
            { class: "progress-block" },
            h("progress", { max: progress.total, value: progress.done, "aria-label": `${title} progress` }),
            h("span", { class: "small muted" }, `${progress.done} of ${progress.total}`),
          )
        : active
          ? h("progress", { "aria-label": `${title}: waiting` })
          : null,
      h("p", { class: "small muted" }, `Started ${formatWhen(j.createdAt)}${summaryOf(j)}`),
      j.state === "failed" && j.error ? h("p", { class: "small error" }, reasonText(j.error)) : null,
      j.type === JOB_TYPES.batch && j.state === "succeeded"
        ? h("div", { class: "actions" }, h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Download ${j.title || "the batch"} as a ZIP`, onclick: () => void this.downloadZip(j) }, "Download .zip"))
        : null,
      active && !j.cancelRequested
        ? h("div", { class: "actions" }, h("button", { type: "button", class: "button button--danger button--small", "aria-label": `Cancel the ${title.toLowerCase()} job`, onclick: () => void this.cancel(j) }, "Cancel"))
        : null,
    );
  }

  private async downloadZip(j: Job): Promise<void> {
    try {
      saveBlob(await fetchApiBlob(`/api/mockup-batches/${encodeURIComponent(j.id)}/zip`), `mockups-${j.id.slice(0, 8)}.zip`);
    } catch (err) {
      this.connection.textContent = `The download failed: ${messageOf(err)}`;
    }
  }

  private async cancel(j: Job): Promise<void> {
    try {
      const updated = await apiJson<Job>(`/api/jobs/${encodeURIComponent(j.id)}`, { method: "DELETE" });
      this.jobs = this.jobs.map((x) => (x.id === j.id ? updated : x));
      this.render();
      announce("Cancel requested.");
    } catch (err) {
      this.connection.textContent = `The job could not be cancelled: ${messageOf(err)}`;
    }
  }
}

/** " · 3 added, 1 duplicate" from a finished job's result summary, when it has one. */
function summaryOf(j: Job): string {
  const s = (j.result as { summary?: Record<string, number> } | null)?.summary;
  if (!s || j.state !== "succeeded") return "";
  if (j.type === JOB_TYPES.upload) return ` · ${s.created ?? 0} added, ${plural(s.duplicates ?? 0, "duplicate")}, ${s.rejected ?? 0} refused`;
  if (j.type === JOB_TYPES.mockups || j.type === JOB_TYPES.batch) return ` · ${s.succeeded ?? 0} made${s.failed ? `, ${s.failed} failed` : ""}`;
  if (j.type === JOB_TYPES.etsy) return ` · ${s.published ?? 0} published${s.failed ? `, ${s.failed} failed` : ""}`;
  if (j.type === JOB_TYPES.listing) return ` · draft with ${plural(s.published ?? 0, "photo")}${s.failed ? `, ${s.failed} not taken` : ""}`;
  return "";
}
