import type { Metrics } from "../../../metrics/atelier-metrics.ts";
import type { Duplicate, DuplicateFinder, HashedFile } from "../../duplicate-finder.ts";

/**
 * The dedupe step: an exact or near duplicate of the shop's designs or of a file accepted earlier
 * in this upload (`accepted`), timed for /metrics.
 */
export async function findDuplicate(
  deps: { duplicates: DuplicateFinder; metrics?: Pick<Metrics, "duplicateCheckDuration"> },
  shopId: string,
  file: HashedFile,
  accepted: HashedFile[],
): Promise<Duplicate | undefined> {
  const t0 = performance.now();
  const found = await deps.duplicates.find(shopId, file, accepted);
  deps.metrics?.duplicateCheckDuration.observe((performance.now() - t0) / 1000);
  return found;
}
