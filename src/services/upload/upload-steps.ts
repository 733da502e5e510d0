import type { AppError } from "../../errors.ts";
import type { ImageHeader } from "../../media/read-image-header.ts";
import type { NewDesignHash } from "../../repositories/design-hash.repository.ts";
import type { NewDesign } from "../../repositories/design.repository.ts";
import type { NewPrintFile } from "../../repositories/print-file.repository.ts";
import type { WeightedSemaphore } from "../../util/concurrency.ts";
import type { DuplicateFile } from "../design-upload.service.ts";
import type { DistinctPair } from "../../repositories/design-hash.repository.ts";
import type { Duplicate, HashedFile } from "../duplicate-finder.ts";

/** A file that passed inspection and hashing: what the dedupe, print and insert steps get. */
export interface Inspected extends HashedFile {
  index: number;
  /** Emptied once the print file is stored (the object stays for in-batch duplicate checks). */
  bytes: Uint8Array;
  header: ImageHeader;
  inspectMs: number;
  hashMs: number;
  hashId: string;
  /** Stored although it duplicates this (onDuplicate=keep): the pair is kept apart from then on. */
  keptApart?: Duplicate;
}

/** A file refused by a step, with its reason. */
export type Rejection = { index: number; filename: string; error: AppError };
/** Per batch: print renders at once, and storage writes at once. */
export type Slots = { renders: WeightedSemaphore; stores: WeightedSemaphore };
/** A print file stored, with the rows the insert step writes for it. */
export type Stored = { index: number; row: NewDesign; printFile: NewPrintFile; hash: NewDesignHash; distinct: DistinctPair[]; kept?: DuplicateFile };

