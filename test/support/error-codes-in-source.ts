import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const SRC = new URL("../../src/", import.meta.url).pathname;

/**
 * The error codes the code can produce, read from src/: the first string of every AppError
 * construction (`new AppError(status, "code"`, a subclass's `super(status, "code"`, the helpers
 * `badRequest("code"`, `fileRejected(`, `unavailable(`, `tooManyRequests(`, and error classes
 * built the same way, like `new RetryableJobError("code"`), codes given as `code: "…"` (options,
 * job errors), ternaries assigned to `code`, and `*_CODES` tables (validate-request's defaults).
 */
export function errorCodesInSource(dir = SRC): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (code: string, file: string) => found.set(code, [...(found.get(code) ?? []), file]);
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, "utf8");
    const rel = file.slice(dir.length);
    for (const m of text.matchAll(/\b(?:new\s+\w*Error|super|badRequest|fileRejected|unavailable|tooManyRequests)\(\s*(?:[^,"()]+,\s*)?"([a-z][a-z0-9_]*)"/g)) add(m[1]!, rel);
    for (const m of text.matchAll(/\bcode:\s*"([a-z][a-z0-9_]*)"/g)) add(m[1]!, rel);
    for (const m of text.matchAll(/\b(?:const|let)\s+code\s*=([^;\n]+)/g)) for (const lit of m[1]!.matchAll(/"([a-z][a-z0-9_]*)"/g)) add(lit[1]!, rel);
    for (const m of text.matchAll(/\b[A-Z_]+_CODES\b[^=]*=\s*\{([^}]*)\}/g)) for (const lit of m[1]!.matchAll(/:\s*"([a-z][a-z0-9_]*)"/g)) add(lit[1]!, rel);
  }
  return found;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // The web client shows codes; it does not make them.
    if (entry.isDirectory() && path !== join(SRC, "web/client")) yield* sourceFiles(path);
    else if (entry.isFile() && /\.ts$/.test(entry.name)) yield path;
  }
}
