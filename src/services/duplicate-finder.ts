import type { Queryable } from "../db/database.ts";
import type { HashSet } from "../media/imagehash/hash-set.ts";
import { hammingDistanceHex, type ImageHashes } from "../media/imagehash/image-hashes.ts";
import { findStoredMatches, type HashMatch, type HashProbe, type MatchBasis, type NearQuery } from "../repositories/design-hash.repository.ts";
import type { MatchEvidence } from "./describe-duplicate.ts";
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
  /** The source's size and format, to say how a duplicate differs. */
  source?: { width: number; height: number; format: string };
  /** The id its hash row will have once stored (pairs kept apart inside one upload name it). */
  hashId?: string;
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

/** A finding with what the upload needs beyond the API's fields: words, and the pair to keep apart. */
export interface Duplicate {
  finding: DuplicateFinding;
  evidence: MatchEvidence;
  /** The matched hash row (the earlier file's, inside an upload) and its source bytes. */
  matched: { hashId?: string; sourceSha256: string | null };
}

/** The three tiers: earlier files of the same upload, exact matches, then near matches. */
export class DuplicateFinder {
  constructor(private readonly deps: { sql: Queryable; thresholds: DuplicateThresholds }) {}

  /**
   * The first tier that finds `file` a duplicate, or `undefined` for a new design. `stored` is
   * the file's `lookUp`, when the caller started it early; the earlier files of the upload are
   * compared first all the same, so the tiers still decide in their order.
   */
  async find(shopId: string, file: HashedFile, earlier: readonly HashedFile[], stored?: Promise<Duplicate | undefined>): Promise<Duplicate | undefined> {
    const batch = this.inBatch(file, earlier);
    if (batch) return batch;
    return stored ?? this.lookUp(shopId, file);
  }

  /**
   * Tiers 2 and 3, the shop's stored designs. They depend on nothing but the file, so an upload
   * starts them as soon as the file is hashed: the lookups of a whole batch overlap (postgres.js
   * pipelines them over the pool) instead of one file's round trip after another's. A file's own
   * lookups go out together too, and exact still wins over near.
   */
  async lookUp(shopId: string, file: HashedFile): Promise<Duplicate | undefined> {
    const t = this.deps.thresholds;
    const probes = this.probes(file);
    // The crop clause and the flat-artwork clause both start from close ahashes.
    const accept = [{ ahash: t.cropAhashMax, phash: t.cropPhashMax }, { ahash: t.flatAhashMax, dhash: t.flatDhashMax }];
    const near: NearQuery[] = [
      { hash: "phash", radius: t.phashMax },
      { hash: "ahash", radius: Math.max(t.cropAhashMax, t.flatAhashMax), accept },
    ];
    const found = await findStoredMatches(this.deps.sql, shopId, file.sourceSha256, probes, near);
    return (found.exact && this.exact(file, found.exact)) ?? this.near(file, probes, found.near[0] ?? [], found.near[1] ?? []);
  }

  private inBatch(file: HashedFile, earlier: readonly HashedFile[]): Duplicate | undefined {
    for (const prior of earlier) {
      const duplicateOf = { filename: prior.filename };
      const matched = { hashId: prior.hashId, sourceSha256: prior.sourceSha256 };
      const base = { file, match: prior.source ?? null, legacyPhash: prior.hashes.phash };
      if (prior.sourceSha256 === file.sourceSha256) {
        return { finding: { tier: "batch", distance: 0, hash: "bytes", compared: "bytes", duplicateOf }, matched, evidence: this.evidence({ ...base, how: "bytes", compared: "bytes" }) };
      }
      if (file.visibleLowInformation || prior.visibleLowInformation) continue;
      const m = matchHashes(file.visible, prior.visible, this.deps.thresholds);
      if (m) {
        return {
          finding: { tier: "batch", distance: m.distance, hash: m.hash, compared: "visible", duplicateOf },
          matched,
          evidence: this.evidence({ ...base, how: m.clause, compared: "visible" }),
        };
      }
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

  private exact(file: HashedFile, same: HashMatch & { sameBytes: boolean }): Duplicate {
    if (same.sameBytes) return this.fromRow(file, same, { tier: "exact", distance: 0, hash: "bytes", compared: "bytes" }, "bytes");
    const mine = same.basis === "visible" ? file.visible : file.hashes;
    const which = (["phash", "ahash", "dhash", "whash"] as const).find((k) => same.hashes[k] === mine[k]) ?? "phash";
    return this.fromRow(file, same, { tier: "exact", distance: 0, hash: which, compared: same.basis }, "exact");
  }

  /** Tier 3: a close phash wins over the ahash clauses; probes count in their order (visible first). */
  private near(file: HashedFile, probes: HashProbe[], byPhash: Array<HashMatch | undefined>, byAhash: Array<HashMatch | undefined>): Duplicate | undefined {
    const close = byPhash.find((m) => m);
    if (close) return this.fromRow(file, close, { tier: "near", distance: close.distance, hash: "phash", compared: close.basis }, "close");
    const i = byAhash.findIndex((m) => m);
    if (i < 0) return undefined;
    const m = byAhash[i]!;
    const clause = matchHashes(probes[i]!.hashes, m.hashes, this.deps.thresholds)?.clause ?? "crop";
    return this.fromRow(file, m, { tier: "near", distance: m.distance, hash: "ahash", compared: m.basis }, clause);
  }

  private fromRow(file: HashedFile, m: HashMatch, f: Omit<DuplicateFinding, "duplicateOf">, how: MatchEvidence["how"]): Duplicate {
    const s = m.source;
    const match = s.width !== null && s.height !== null && s.format !== null ? { width: s.width, height: s.height, format: s.format } : null;
    return {
      finding: { ...f, duplicateOf: { id: m.designId ?? m.hashId, filename: m.filename, createdAt: m.createdAt } },
      matched: { hashId: m.hashId, sourceSha256: s.sha256 },
      evidence: { ...this.evidence({ file, match, legacyPhash: m.legacyPhash, how, compared: f.compared }), createdAt: m.createdAt, imported: m.designId === null },
    };
  }

  private evidence(a: {
    file: HashedFile;
    match: MatchEvidence["match"];
    legacyPhash: string;
    how: MatchEvidence["how"];
    compared: MatchEvidence["compared"];
  }): MatchEvidence {
    const hiddenColourDiffers =
      a.compared === "visible" && a.file.visible !== a.file.hashes && hammingDistanceHex(a.file.hashes.phash, a.legacyPhash) > this.deps.thresholds.cropPhashMax;
    return {
      how: a.how,
      compared: a.compared,
      hiddenColourDiffers,
      file: a.file.source ?? { width: 0, height: 0, format: "" },
      match: a.file.source ? a.match : null,
      imported: false,
    };
  }
}
