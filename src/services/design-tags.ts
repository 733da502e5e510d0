/** A tag: lower case, 1–50 characters of letters, digits, spaces and - _ . & (no commas: lists are comma-separated). */
export const TAG_PATTERN = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N} _.&-]{0,49}$/u;
/** Tags one design may have. */
export const MAX_TAGS_PER_DESIGN = 30;

/** How a tag is kept: trimmed, lower case, inner spaces collapsed. */
export const normalizeTag = (t: string): string => t.trim().toLowerCase().replace(/\s+/g, " ");

/** The search box's words: lower case, split on spaces, at most 8. */
export const searchWords = (q: string | undefined): string[] =>
  (q ?? "").toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);

/** `from` and `to` of the gallery's filters as instants: a day `to` includes that whole day. */
export function dateRange(from: string | undefined, to: string | undefined): { from?: string; before?: string } {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    from: from === undefined ? undefined : day.test(from) ? `${from}T00:00:00Z` : from,
    before: to === undefined ? undefined : day.test(to) ? nextDay(to) : to,
  };
}
