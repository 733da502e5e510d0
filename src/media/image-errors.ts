import { fileRejected } from "../errors.ts";

/** The per-file rejections of the image pipeline, one stable code each. */
export const imageErrors = {
  emptyFile: () => fileRejected("empty_file", "The file is empty (0 bytes)."),
  unsupportedFormat: () =>
    fileRejected(
      "unsupported_format",
      "This is not an image we can read. Upload JPEG, PNG, WebP, TIFF, GIF or AVIF.",
    ),
  corruptImage: (detail: string) =>
    fileRejected("corrupt_image", `The image is damaged or incomplete and cannot be decoded (${detail}).`),
  tooManyPixels: (width: number, height: number, limit: number) =>
    fileRejected(
      "too_many_pixels",
      `The image is ${width}×${height} (${(width * height).toLocaleString("en")} pixels); the limit is ${limit.toLocaleString("en")} pixels.`,
    ),
  tooSmall: (width: number, height: number, minSide: number) =>
    fileRejected("too_small", `The image is ${width}×${height}; each side needs at least ${minSide} pixels to print.`),
  extremeAspectRatio: (width: number, height: number, maxRatio: number) =>
    fileRejected(
      "extreme_aspect_ratio",
      `The image is ${width}×${height}; one side may be at most ${maxRatio} times the other.`,
    ),
  blankImage: () => fileRejected("blank_image", "The image is fully transparent: there is nothing to print."),
};
