import { z } from "zod";
import type { Sql } from "../db/database.ts";
import { defineJobHandler } from "../jobs/job-types.ts";
import type { Logger } from "../logger.ts";
import type { HashSet } from "../media/imagehash/hash-set.ts";
import { findPendingVisibleHashes, setVisibleHashes, shopsWithPendingVisibleHashes } from "../repositories/design-hash.repository.ts";
import { findDesignsByIds } from "../repositories/design.repository.ts";
import { findShopById } from "../repositories/shop.repository.ts";
import { StorageNotFoundError, type Storage } from "../storage/storage.ts";
import type { JobService } from "./job.service.ts";
import { hashFields } from "./duplicate-finder.ts";
import { shopOfJob } from "./shop-of-job.ts";

/** Job type that computes visible-image hashes for designs stored before they existed (sql/0013). */
export const VISIBLE_HASH_JOB = "visible-hashes";

export const visibleHashPayload = z.object({});

/** Rows read per page: the job holds one page of ids and one print file at a time. */
const PAGE = 200;

type Done = { hashId: string; how: "reused" | "computed" | "no_file" | "gone" };

/**
 * For each of the shop's designs still compared by legacy hashes: JPEG sources (never
 * transparent) keep their hashes as their visible ones without a read; others have their print
 * file hashed (trimmed and resized already, which the visible image's cut makes alike), and
 * keep the legacy hashes when it is opaque. Each row changes only while still 'legacy', so an
 * attempt run again skips what an earlier one did.
 */
export function visibleHashJob(deps: { sql: Sql; storage: Storage; hash(bytes: Uint8Array): Promise<HashSet> }) {
  return defineJobHandler({
    payload: visibleHashPayload,
    async run(ctx): Promise<{ reused: number; computed: number; noFile: number }> {
      const shop = await shopOfJob(deps.sql, ctx.job);
      const tally = { reused: 0, computed: 0, noFile: 0 };
      let after: string | undefined;
      for (let page = 0; ; page++) {
        ctx.signal.throwIfAborted();
        // By id, so a row that failed for good is not read again in this run.
        const pending = await findPendingVisibleHashes(deps.sql, shop.id, after, PAGE);
        if (pending.length === 0) break;
        after = pending.at(-1)!.hashId;
        const designs = new Map((await findDesignsByIds(deps.sql, shop.id, pending.map((p) => p.designId))).map((d) => [d.id, d]));
        const results = await ctx.eachItem<(typeof pending)[number], Done>(pending, {
          kind: `visible-hash-${page}`,
          run: async ({ item }) => {
            const design = designs.get(item.designId);
            const legacy = hashFields({ legacy: item.legacy, visible: null });
            const reuse = (how: Done["how"]) =>
              setVisibleHashes(deps.sql, shop.id, item.hashId, { hashes: item.legacy, lowInformation: legacy.lowInformation }).then(() => ({ hashId: item.hashId, how }));
            if (!design) return reuse("gone");
            if (design.sourceFormat === "jpeg") return reuse("reused");
            let bytes: Uint8Array;
            try {
              const file = await deps.storage.get(design.storagePath, design.storageDriver);
              bytes = new Uint8Array(await new Response(file.body).arrayBuffer());
            } catch (err) {
              // Nothing to look at: the legacy hashes stay what it is compared by.
              if (err instanceof StorageNotFoundError) return reuse("no_file");
              throw err;
            }
            const set = await deps.hash(bytes);
            if (!set.visible) return reuse("reused");
            const f = hashFields(set);
            await setVisibleHashes(deps.sql, shop.id, item.hashId, { hashes: f.visible, lowInformation: f.visibleLowInformation });
            return { hashId: item.hashId, how: "computed" };
          },
        });
        for (const r of results) {
          if (!r.ok) continue;
          if (r.value.how === "computed") tally.computed++;
          else if (r.value.how === "no_file") tally.noFile++;
          else tally.reused++;
        }
      }
      ctx.log.info("visible hashes backfilled", { shopId: shop.id, ...tally });
      return tally;
    },
  });
}

/** Queues the backfill for every shop that needs it and has none queued or running (at start). */
export async function scheduleVisibleHashBackfill(deps: { sql: Sql; jobs: JobService; log: Logger }): Promise<void> {
  for (const shopId of await shopsWithPendingVisibleHashes(deps.sql)) {
    const shop = await findShopById(deps.sql, shopId);
    if (!shop) continue;
    const [queued, running] = await Promise.all(
      (["queued", "running"] as const).map((state) => deps.jobs.list(shop, { limit: 1, state, type: VISIBLE_HASH_JOB })),
    );
    if (queued!.items.length > 0 || running!.items.length > 0) continue;
    await deps.jobs.enqueue(shop, VISIBLE_HASH_JOB, {}, "low");
    deps.log.info("visible hash backfill queued", { shopId });
  }
}
