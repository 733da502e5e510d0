import type { Queryable } from "../db/database.ts";
import type { HashSet } from "../media/imagehash/hash-set.ts";
import type { ImageHashes } from "../media/imagehash/image-hashes.ts";
import { findExact, findNearHash, type HashMatch, type HashProbe, type MatchBasis } from "../repositories/design-hash.repository.ts";
import { isLowInformation, matchHashes, type DuplicateThresholds, type HashName } from "./duplicate-rule.ts";

/** A file whose hashes are known, ready to be compared. */
export interface HashedFile {
  filename: string;
  sourceSha256: string;
  /** The four ImageHash-compatible hashes (what the old system stored). */
  hashes: ImageHashes;
  lowInformation: boolean;
  /** The visible image's hashes: `hashes` itself for an opaque image. */
  visible: ImageHashes;
  visibleLowInformation: boolean;
}

/** The hash fields of a HashedFile, from what the hash pool answered. */
export function hashFields(set: HashSet): Pick<HashedFile, "hashes" | "lowInformation" | "visible" | "visibleLowInformation"> {
  const lowInformation = isLowInformation(set.legacy);
  return {
    hashes: set.legacy,
    lowInformation,
    visible: set.visible ?? set.legacy,
    visibleLowInformation: set.visible ? isLowInformation(set.visible) : lowInformation,
  };
}

/** Why a file is a duplicate, as the API reports it. */
export interface DuplicateFinding {
  tier: "batch" | "exact" | "near";
  distance: number;
  /** The hash that matched, or "bytes" for identical files. */
  hash: HashName | "bytes";
  /** Which hashes were compared: the visible images', or the legacy ones (history, rows not yet recomputed). */
  compared: MatchBasis | "bytes";
  duplicateOf: { id?: string; filename: string; createdAt?: string };
}

/** The three tiers: earlier files of the same upload, exact matches, then near matches. */
export class DuplicateFinder {
  constructor(private readonly deps: { sql: Queryable; thresholds: DuplicateThresholds }) {}

  /** The first tier that finds `file` a duplicate, or `undefined` for a new design. */
  async find(shopId: string, file: HashedFile, earlier: readonly HashedFile[]): Promise<DuplicateFinding | undefined> {
    return this.inBatch(file, earlier) ?? (await this.exact(shopId, file)) ?? (await this.near(shopId, file));
  }

  private inBatch(file: HashedFile, earlier: readonly HashedFile[]): DuplicateFinding | undefined {
    for (const prior of earlier) {
      const duplicateOf = { filename: prior.filename };
      if (prior.sourceSha256 === file.sourceSha256) return { tier: "batch", distance: 0, hash: "bytes", compared: "bytes", duplicateOf };
      if (file.visibleLowInformation || prior.visibleLowInformation) continue;
      const m = matchHashes(file.visible, prior.visible, this.deps.thresholds);
      if (m) return { tier: "batch", distance: m.distance, hash: m.hash, compared: "visible", duplicateOf };
    }
    return undefined;
  }

  /**
   * What to look up: the visible hashes against rows compared by theirs, the legacy hashes against
   * rows still compared by legacy ones; one probe for both when the image is opaque. Blank images
   * have none (matched by their bytes only).
   */
  private probes(file: HashedFile): HashProbe[] {
    if (file.visible === file.hashes) return file.lowInformation ? [] : [{ hashes: file.hashes }];
    const probes: HashProbe[] = [];
    if (!file.visibleLowInformation) probes.push({ basis: "visible", hashes: file.visible });
    if (!file.lowInformation) probes.push({ basis: "legacy", hashes: file.hashes });
    return probes;
  }

  private async exact(shopId: string, file: HashedFile): Promise<DuplicateFinding | undefined> {
    const same = await findExact(this.deps.sql, shopId, file.sourceSha256, this.probes(file));
    if (!same) return undefined;
    if (same.sameBytes) return finding("exact", 0, "bytes", same, "bytes");
    const mine = same.basis === "visible" ? file.visible : file.hashes;
    const which = (["phash", "ahash", "dhash", "whash"] as const).find((k) => same.hashes[k] === mine[k]) ?? "phash";
    return finding("exact", 0, which, same);
  }

  private async near(shopId: string, file: HashedFile): Promise<DuplicateFinding | undefined> {
    const t = this.deps.thresholds;
    const probes = this.probes(file);
    for (const probe of probes) {
      const m = await findNearHash(this.deps.sql, shopId, file.sourceSha256, probe, { hash: "phash", radius: t.phashMax });
      if (m) return finding("near", m.distance, "phash", m);
    }
    // The crop clause and the flat-artwork clause both start from close ahashes.
    const accept = [{ ahash: t.cropAhashMax, phash: t.cropPhashMax }, { ahash: t.flatAhashMax, dhash: t.flatDhashMax }];
    const radius = Math.max(t.cropAhashMax, t.flatAhashMax);
    for (const probe of probes) {
      const m = await findNearHash(this.deps.sql, shopId, file.sourceSha256, probe, { hash: "ahash", radius, accept });
      if (m) return finding("near", m.distance, "ahash", m);
    }
    return undefined;
  }
}

function finding(tier: DuplicateFinding["tier"], distance: number, hash: DuplicateFinding["hash"], m: HashMatch, compared: DuplicateFinding["compared"] = m.basis): DuplicateFinding {
  return { tier, distance, hash, compared, duplicateOf: { id: m.designId ?? m.hashId, filename: m.filename, createdAt: m.createdAt } };
}
