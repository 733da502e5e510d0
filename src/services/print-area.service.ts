import { AppError, badRequest } from "../errors.ts";
import type { DetectTask } from "../media/detect/detect-photo.ts";
import type { PrintAreaProposal } from "../media/detect/detect-print-areas.ts";
import { imageErrors } from "../media/image-errors.ts";
import { describeSharpError, readImageHeader } from "../media/read-image-header.ts";

/** What detection answers: the photo's size (a template's width and height) and the proposals, best first. */
export interface PrintAreaAnswer {
  width: number;
  height: number;
  proposals: PrintAreaProposal[];
}

export interface PrintAreaFinderDeps {
  /** Runs detection off the HTTP thread (the hash pool). */
  detect: (task: DetectTask) => Promise<PrintAreaProposal[]>;
  maxInputPixels: number;
}

/** Finds the blank frames, posters, canvases and panels in a photo a template is being made from. */
export class PrintAreaFinder {
  constructor(private readonly deps: PrintAreaFinderDeps) {}

  async find(photo: Uint8Array | undefined): Promise<PrintAreaAnswer> {
    if (!photo) throw badRequest("missing_photo", "Attach the photo as the file field \"photo\".");
    // Empty, not an image, a pixel bomb: refused from the header, before a thread decodes it.
    const header = await readImageHeader(photo, this.deps.maxInputPixels);
    const proposals = await this.deps.detect({ bytes: photo, width: header.width, height: header.height }).catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      throw imageErrors.corruptImage(describeSharpError(err));
    });
    return { width: header.width, height: header.height, proposals };
  }
}
