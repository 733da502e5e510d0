import { decodeForDetect } from "./decode-for-detect.ts";
import { detectPrintAreas, type PrintAreaProposal } from "./detect-print-areas.ts";

/** A photo to look for print areas in, with the size its header gave (checked against the pixel limit already). */
export interface DetectTask {
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** Decodes the photo at working size and finds its print areas (runs on a hash worker thread). */
export async function detectPhotoPrintAreas(task: DetectTask): Promise<PrintAreaProposal[]> {
  const d = await decodeForDetect(task.bytes, task.width, task.height);
  return detectPrintAreas(d.rgb, d.width, d.height, d.scaleX, d.scaleY);
}
