import { apiJson, messageOf } from "./api-client.ts";
import type { StorageOverview } from "./api-types.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { formatBytes, plural } from "./format.ts";

/** The Shop tab's Storage card: where files go, whether that storage answers, what the shop stores. */
export class StorageCard {
  private readonly where = byId("storage-where", HTMLParagraphElement);
  private readonly usage = byId("storage-usage", HTMLElement);

  async refresh(): Promise<void> {
    try {
      const s = await apiJson<StorageOverview>("/api/shop/storage");
      const place = s.location === "nas" ? "Files go to the shop's NAS (over SFTP)" : "Files go to a folder on the Atelier server's disk";
      this.where.textContent = `${place}: ${s.healthy ? "working." : "not reachable right now; uploads and mockups wait until it is back."}`;
      this.where.dataset.healthy = String(s.healthy);
      const u = s.usage;
      const line = (label: string, count: string, bytes: number) => [h("dt", null, label), h("dd", null, `${count} · ${formatBytes(bytes)}`)];
      replaceChildren(
        this.usage,
        ...line("Designs (print files)", plural(u.designs.count, "design"), u.designs.bytes),
        ...line("Mockups", plural(u.mockups.count, "mockup"), u.mockups.bytes),
        ...line("Templates", plural(u.templates.count, "template"), u.templates.bytes),
        ...(u.deletedDesigns.count ? line("Deleted designs, files kept", plural(u.deletedDesigns.count, "design"), u.deletedDesigns.bytes) : []),
        h("dt", null, "In all"),
        h("dd", null, formatBytes(u.totalBytes)),
      );
    } catch (err) {
      this.where.textContent = `The storage could not be read: ${messageOf(err)}`;
    }
  }
}
