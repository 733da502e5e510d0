import type { z } from "zod";

// C0 controls and DEL, except tab, line feed and carriage return (text may hold lines).
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** True when `text` holds NUL or another control character no name, id or label needs. */
export const hasControlCharacter = (text: string): boolean => CONTROL_CHARACTER.test(text);

/** `path: message` for each zod issue; `root` names an issue without a path. */
export function issueLines(error: z.ZodError, root: string): string[] {
  return error.issues.map((i) => `${i.path.join(".") || root}: ${i.message}`);
}

/**
 * `path: must not contain control characters` for every string in `value` (keys included) that
 * holds one. Walked with a stack, not recursion, so deep input cannot overflow it.
 */
export function controlCharacterLines(value: unknown, root: string): string[] {
  const lines: string[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: "" }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (hasControlCharacter(v)) lines.push(`${path || root}: must not contain control characters (such as NUL)`);
    } else if (typeof v === "object" && v !== null && !(v instanceof Blob)) {
      for (const [key, child] of Object.entries(v)) {
        if (hasControlCharacter(key)) lines.push(`${path || root}: field names must not contain control characters`);
        else stack.push({ value: child, path: path ? `${path}.${key}` : key });
      }
    }
  }
  return lines.reverse();
}

/** At most `max` lines; past it the last line says how many were left out. */
export function capLines(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  const omitted = lines.length - (max - 1);
  return [...lines.slice(0, max - 1), `…and ${omitted} more problem${omitted === 1 ? "" : "s"} left out`];
}
