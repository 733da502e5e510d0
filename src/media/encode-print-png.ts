import sharp from "sharp";
import { rawInput, type RawImage } from "./raw-image.ts";

/** PNG compression level for print files: 3 is much faster than 6 for about 10% more bytes. */
export const PRINT_PNG_COMPRESSION = 3;

/** Encodes pixels as an sRGB-tagged PNG carrying `dpi` in its pHYs chunk. */
export async function encodePrintPng(img: RawImage, dpi: number): Promise<Buffer> {
  return sharp(img.data, rawInput(img))
    .withIccProfile("srgb")
    .withDensity(dpi)
    .png({ compressionLevel: PRINT_PNG_COMPRESSION, adaptiveFiltering: false })
    .toBuffer();
}
