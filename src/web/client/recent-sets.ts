import { apiJson, messageOf } from "./api-client.ts";
import { JOB_TYPES, type Job, type Page } from "./api-types.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { formatWhen } from "./format.ts";

const SHOWN = 8;
const STATE_WORDS: Record<string, string> = { queued: "waiting", running: "rendering", succeeded: "done", failed: "failed", cancelled: "cancelled" };

/**
 * The Mockups tab's recent sets, read from the server (GET /api/jobs?type=mockup-set), so they are
 * there after a reload or on another device; "Show" puts one on the page again.
 */
export class RecentSets {
  private readonly list = byId("recent-sets", HTMLUListElement);
  private readonly status = byId("recent-sets-status", HTMLParagraphElement);

  constructor(private readonly onShow: (job: Job) => void) {
    byId("recent-sets-refresh", HTMLButtonElement).addEventListener("click", () => void this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      const page = await apiJson<Page<Job>>(`/api/jobs?type=${JOB_TYPES.mockups}&limit=${SHOWN}`);
      this.status.textContent = page.items.length ? "" : "No mockup sets yet: make one above.";
      replaceChildren(this.list, ...page.items.map((j) => this.row(j)));
    } catch (err) {
      this.status.textContent = `The recent sets could not be loaded: ${messageOf(err)}`;
    }
  }

  private row(j: Job): HTMLLIElement {
    const title = j.title || "Mockup set";
    return h(
      "li",
      { class: "recent-set", "data-job-id": j.id, "data-state": j.state },
      h("div", { class: "recent-set__text" }, h("p", { class: "tile__title" }, title), h("p", { class: "tile__meta" }, `${STATE_WORDS[j.state] ?? j.state} · ${formatWhen(j.createdAt)}`)),
      h("button", { type: "button", class: "button button--quiet button--small", "aria-label": `Show ${title}`, onclick: () => this.onShow(j) }, "Show"),
    );
  }
}
