import type { Queryable } from "../db/database.ts";
import type { ImageHashes } from "../media/imagehash/image-hashes.ts";
import { findExact, findNearHash, type HashMatch } from "../repositories/design-hash.repository.ts";
import { matchHashes, type DuplicateThresholds, type HashName } from "./duplicate-rule.ts";

/** A file whose hashes are known, ready to be compared. */
export interface HashedFile {
  filename: string;
  sourceSha256: string;
  hashes: ImageHashes;
  lowInformation: boolean;
}

/** Why a file is a duplicate, as the API reports it. */
export interface DuplicateFinding {
  tier: "batch" | "exact" | "near";
  distance: number;
  /** The hash that matched, or "bytes" for identical files. */
  hash: HashName | "bytes";
  duplicateOf: { id?: string; filename: string };
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
      if (prior.sourceSha256 === file.sourceSha256) {
        return { tier: "batch", distance: 0, hash: "bytes", duplicateOf: { filename: prior.filename } };
      }
      const m = matchHashes(file.hashes, prior.hashes, this.deps.thresholds);
      if (m) return { tier: "batch", distance: m.distance, hash: m.hash, duplicateOf: { filename: prior.filename } };
    }
    return undefined;
  }

  private async exact(shopId: string, file: HashedFile): Promise<DuplicateFinding | undefined> {
    // A blank image is matched by its bytes only.
    const same = await findExact(this.deps.sql, shopId, file.sourceSha256, file.lowInformation ? undefined : file.hashes);
    if (!same) return undefined;
    if (same.sameBytes) return finding("exact", 0, "bytes", same);
    const which = (["phash", "ahash", "dhash", "whash"] as const).find((k) => same.hashes[k] === file.hashes[k]) ?? "phash";
    return finding("exact", 0, which, same);
  }

  private async near(shopId: string, file: HashedFile): Promise<DuplicateFinding | undefined> {
    if (file.lowInformation) return undefined;
    const t = this.deps.thresholds;
    const byPhash = await findNearHash(this.deps.sql, shopId, "phash", file.hashes.phash, t.phashMax);
    if (byPhash) return finding("near", byPhash.distance, "phash", byPhash);
    const byAhash = await findNearHash(this.deps.sql, shopId, "ahash", file.hashes.ahash, t.cropAhashMax, {
      phashHex: file.hashes.phash,
      phashMax: t.cropPhashMax,
    });
    if (byAhash) return finding("near", byAhash.distance, "ahash", byAhash);
    return undefined;
  }
}

function finding(tier: DuplicateFinding["tier"], distance: number, hash: DuplicateFinding["hash"], m: HashMatch): DuplicateFinding {
  return { tier, distance, hash, duplicateOf: { id: m.designId ?? m.hashId, filename: m.filename } };
}
