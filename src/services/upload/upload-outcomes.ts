import type { AppError } from "../../errors.ts";
import type { ImageHashes } from "../../media/imagehash/image-hashes.ts";
import type { CreatedDesign, DuplicateFile, RejectedFile } from "../design-upload.service.ts";

/** What became of one file of an upload or a check, as soon as it is known. */
export type FileOutcome =
  | { created: CreatedDesign }
  | { unique: { filename: string; hashes: ImageHashes } }
  | { duplicate: DuplicateFile }
  | { rejected: RejectedFile; error: AppError };

type Indexed<T> = { index: number; value: T };

/**
 * Collects the outcomes of an upload's (or a check's) files by their place in the upload, hands
 * each to `onOutcome` as it comes, and lists them in upload order at the end.
 */
export class UploadOutcomes {
  private readonly created: Array<Indexed<CreatedDesign>> = [];
  private readonly unique: Array<Indexed<{ filename: string; hashes: ImageHashes }>> = [];
  private readonly duplicates: Array<Indexed<DuplicateFile>> = [];
  private readonly rejected: Array<Indexed<RejectedFile>> = [];

  constructor(private readonly onOutcome?: (index: number, outcome: FileOutcome) => void) {}

  add(index: number, outcome: FileOutcome): void {
    if ("created" in outcome) this.created.push({ index, value: outcome.created });
    else if ("unique" in outcome) this.unique.push({ index, value: outcome.unique });
    else if ("duplicate" in outcome) this.duplicates.push({ index, value: outcome.duplicate });
    else this.rejected.push({ index, value: outcome.rejected });
    this.onOutcome?.(index, outcome);
  }

  reject(index: number, filename: string, error: AppError): void {
    this.add(index, { rejected: { filename, error: { code: error.code, message: error.message } }, error });
  }

  /** Each list in upload order. */
  lists() {
    return {
      created: inOrder(this.created),
      unique: inOrder(this.unique),
      duplicates: inOrder(this.duplicates),
      rejected: inOrder(this.rejected),
    };
  }
}

const inOrder = <T>(list: Array<Indexed<T>>): T[] => [...list].sort((a, b) => a.index - b.index).map((e) => e.value);
