import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { manifestFiles, parseTemplateManifest, type TemplateManifest } from "./template-manifest.ts";

/** A template read from a folder: its manifest and where its files are. */
export interface TemplateOnDisk {
  manifest: TemplateManifest;
  dir: string;
}

/** A folder that could not be used, and every reason why. */
export interface TemplateProblem {
  dir: string;
  problems: string[];
}

/**
 * Reads every `<dir>/<id>/template.json` under `root`, validating the manifest and checking
 * that the background (and each mask, map and overlay) exists with the declared size. Bad folders are
 * reported, not fatal: one broken template must not stop the server.
 */
export async function loadTemplateDir(root: string): Promise<{ templates: TemplateOnDisk[]; problems: TemplateProblem[] }> {
  const templates: TemplateOnDisk[] = [];
  const problems: TemplateProblem[] = [];
  let entries: string[];
  try {
    entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    return { templates, problems: [{ dir: root, problems: [`cannot read the templates folder: ${(err as Error).message}`] }] };
  }
  for (const name of entries) {
    const dir = join(root, name);
    const found = await checkTemplate(dir);
    if ("manifest" in found) templates.push({ manifest: found.manifest, dir });
    else problems.push({ dir, problems: found.problems });
  }
  return { templates, problems };
}

async function checkTemplate(dir: string): Promise<{ manifest: TemplateManifest } | { problems: string[] }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, "template.json"), "utf8"));
  } catch (err) {
    return { problems: [`template.json: ${(err as Error).message}`] };
  }
  const parsed = parseTemplateManifest(raw);
  if (!parsed.ok) return { problems: parsed.problems };
  const m = parsed.manifest;
  const problems: string[] = [];
  await checkImage(join(dir, m.background), "background", m.width, m.height, problems);
  for (const f of manifestFiles(m)) await checkImage(join(dir, f.name), f.role, m.width, m.height, problems);
  return problems.length ? { problems } : { manifest: m };
}

async function checkImage(path: string, what: string, width: number, height: number, problems: string[]): Promise<void> {
  try {
    const meta = await sharp(path).metadata();
    if (meta.width !== width || meta.height !== height) {
      problems.push(`${what}: is ${meta.width}×${meta.height}, the manifest says ${width}×${height}`);
    }
  } catch (err) {
    problems.push(`${what}: cannot be read (${(err as Error).message})`);
  }
}
