/** Why a file was refused, in plain words, by the API's error code. */
const REASONS: Record<string, string> = {
  empty_file: "The file is empty (0 bytes).",
  unsupported_format: "This is not an image Atelier can read. Use JPEG, PNG, WebP, TIFF, GIF or AVIF.",
  corrupt_image: "The image is damaged or cut off and cannot be read. Export it again and re-upload.",
  too_many_pixels: "The image has too many pixels to process safely. Scale it down and try again.",
  blank_image: "The image is completely transparent: there is nothing to print.",
  storage_unavailable: "The file could not be saved because storage is unavailable right now. Try again in a minute.",
  database_unavailable: "The design could not be recorded because the database is unavailable right now. Try again in a minute.",
  processing_failed: "Something went wrong while processing this file. Try again; if it keeps failing, the file may be unusual.",
  template_size_mismatch: "The image size does not match the width and height in the manifest.",
  render_busy: "The mockup renderer is busy. Try again in a moment.",
  render_out_of_memory: "The mockup was too large to render with the memory available.",
  render_failed: "The mockup could not be rendered.",
  payload_too_large: "The upload is larger than this server accepts. Send fewer or smaller files at once.",
  too_many_files: "Too many files in one upload. Send them in smaller groups.",
  no_files: "Choose at least one file.",
};

/** A sentence for an error code; the server's own message when the code is not one we know. */
export function reasonText(error: { code: string; message?: string }): string {
  return REASONS[error.code] ?? error.message ?? `Refused (${error.code}).`;
}
