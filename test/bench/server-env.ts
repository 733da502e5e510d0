/**
 * The bench's allocator variables (MALLOC_*, LD_PRELOAD), DATABASE_URL and Atelier settings
 * (RENDER_*, MOCKUP_*, UPLOAD_*, HASH_*), passed on to the server it starts so variants can be
 * compared from the command line.
 */
export function serverTuning(): Record<string, string> {
  const keys = Object.keys(process.env).filter(
    (k) => k.startsWith("MALLOC_") || k.startsWith("VIPS_") || k === "LD_PRELOAD" || k === "DATABASE_URL" || /^(RENDER|MOCKUP|UPLOAD|HASH)_/.test(k),
  );
  return Object.fromEntries(keys.map((k) => [k, process.env[k]!]));
}
