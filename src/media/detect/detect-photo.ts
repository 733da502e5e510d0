import { decodeForDetect } from "./decode-for-detect.ts";
import { detectPrintAreas, type PrintAreaProposal } from "./detect-print-areas.ts";

/** A photo to look for print areas in, with the size its header gave (checked against the pixel limit already). */
export interface DetectTask {
  bytes: Uint8Array;
  width: number;
  height: number;
}

let warmed = false;

/**
 * Runs detection once on a small made-up photo (a light panel on a grey wall): the pixel loops
 * are then compiled before the real photo's first pass, which otherwise ran several times slower
 * on a thread fresh from its idle timeout (measured: about 450 ms instead of 100).
 */
function warmUp(): void {
  if (warmed) return;
  warmed = true;
  const w = 160;
  const h = 120;
  const rgb = new Uint8Array(w * h * 3).fill(110);
  for (let y = 30; y < 90; y++) for (let x = 50; x < 110; x++) rgb.fill(225, (y * w + x) * 3, (y * w + x) * 3 + 3);
  detectPrintAreas(rgb, w, h, 1, 1);
}

/** Decodes the photo at working size and finds its print areas (runs on a hash worker thread). */
export async function detectPhotoPrintAreas(task: DetectTask): Promise<PrintAreaProposal[]> {
  const decoding = decodeForDetect(task.bytes, task.width, task.height);
  warmUp(); // while libvips decodes on its own threads
  const d = await decoding;
  return detectPrintAreas(d.rgb, d.width, d.height, d.scaleX, d.scaleY);
}
