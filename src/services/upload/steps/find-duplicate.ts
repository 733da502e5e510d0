import type { Metrics } from "../../../metrics/atelier-metrics.ts";
import type { Duplicate, DuplicateFinder, HashedFile } from "../../duplicate-finder.ts";

/** The dedupe step of one file, its database part already under way. */
export type DuplicateCheck = (accepted: HashedFile[]) => Promise<Duplicate | undefined>;

/**
 * The dedupe step: an exact or near duplicate of the shop's designs or of a file accepted earlier
 * in this upload (`accepted`), timed for /metrics. The lookups among stored designs start now,
 * while the files before this one are still being decided; the returned check waits for them and
 * compares the earlier files first.
 */
export function startDuplicateCheck(
  deps: { duplicates: DuplicateFinder; metrics?: Pick<Metrics, "duplicateCheckDuration"> },
  shopId: string,
  file: HashedFile,
): DuplicateCheck {
  const t0 = performance.now();
  const stored = deps.duplicates.lookUp(shopId, file);
  // Timed by the lookups themselves, not by the wait for the files before it. Not awaited when
  // an earlier file of the upload is the match: a failure then matters to no one.
  stored.then(
    () => deps.metrics?.duplicateCheckDuration.observe((performance.now() - t0) / 1000),
    () => {},
  );
  return (accepted) => deps.duplicates.find(shopId, file, accepted, stored);
}
