import sharp from "sharp";

/** Longest side of the image detection works on: 1.5% of its diagonal is about 9 of its pixels. */
export const DETECT_WORKING_SIDE = 512;

/**
 * Decodes a photo at working size (JPEG shrinks on load), as the renderer reads backgrounds:
 * stored orientation, sRGB, no alpha. `fullWidth` × `fullHeight` is the photo's size from its
 * header; the answer has the scale back to it. A photo with damaged data is refused, as a
 * template upload would refuse it as its background, rather than searched half-decoded.
 */
export async function decodeForDetect(bytes: Uint8Array, fullWidth: number, fullHeight: number) {
  const { data, info } = await sharp(bytes, { failOn: "warning", limitInputPixels: fullWidth * fullHeight, pages: 1 })
    .resize(DETECT_WORKING_SIDE, DETECT_WORKING_SIDE, { fit: "inside", withoutEnlargement: true, kernel: "linear" })
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    rgb: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    scaleX: fullWidth / info.width,
    scaleY: fullHeight / info.height,
  };
}
