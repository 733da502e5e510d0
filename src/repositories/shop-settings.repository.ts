import type { Queryable } from "../db/database.ts";

/** A shop's own settings (beside the server's). */
export interface ShopSettings {
  /** Refuse uploads below PREFLIGHT_MIN_DPI (code low_resolution) instead of warning. */
  refuseLowResolution: boolean;
}

export async function findShopSettings(sql: Queryable, shopId: string): Promise<ShopSettings> {
  const [row] = await sql<ShopSettings[]>`select refuse_low_resolution as "refuseLowResolution" from shops where id = ${shopId}`;
  return row ?? { refuseLowResolution: false };
}

export async function updateShopSettings(sql: Queryable, shopId: string, s: ShopSettings): Promise<void> {
  await sql`update shops set refuse_low_resolution = ${s.refuseLowResolution} where id = ${shopId}`;
}
