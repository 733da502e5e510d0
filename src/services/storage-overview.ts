import type { Sql } from "../db/database.ts";
import { shopUsage, type ShopUsage } from "../repositories/storage-usage.repository.ts";
import type { Shop } from "../types.ts";
import type { Readiness } from "./readiness.ts";

/** The Shop tab's Storage card: where files go and its health, and what the shop stores. */
export interface StorageOverview {
  /** `local`: this server's disk; `nas`: the shop's NAS over SFTP. Never a host or a path. */
  location: "local" | "nas";
  healthy: boolean;
  /** How old the health probe is (it is refreshed in the background every few seconds). */
  checkedMsAgo: number;
  usage: ShopUsage & { totalBytes: number };
}

export async function storageOverview(deps: { sql: Sql; readiness: Readiness }, shop: Shop): Promise<StorageOverview> {
  const [health, usage] = await Promise.all([deps.readiness.storageHealth(), shopUsage(deps.sql, shop.id)]);
  const totalBytes = usage.designs.bytes + usage.deletedDesigns.bytes + usage.mockups.bytes + usage.templates.bytes;
  return { location: health.driver === "sftp" ? "nas" : "local", healthy: health.ok, checkedMsAgo: health.ageMs, usage: { ...usage, totalBytes } };
}
