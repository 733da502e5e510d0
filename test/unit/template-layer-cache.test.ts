import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseTemplateManifest, type TemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { TemplateLayerCache } from "../../workers/render/template-layers.ts";

const templates = new URL("../../src/templates/", import.meta.url).pathname;
const manifestOf = (id: string) => (parseTemplateManifest(JSON.parse(readFileSync(join(templates, id, "template.json"), "utf8"))) as { manifest: TemplateManifest }).manifest;

test("a replaced template's decoded layers are forgotten by folder; other templates' stay", async () => {
  const cache = new TemplateLayerCache(256 * 1024 * 1024);
  const poster = join(templates, "poster-straight"), mug = join(templates, "mug-cylinder");
  const first = await cache.get(poster, manifestOf("poster-straight"));
  await cache.get(mug, manifestOf("mug-cylinder"));
  const both = cache.bytes;
  cache.forget(poster);
  expect(cache.bytes).toBeLessThan(both);
  expect(cache.bytes).toBeGreaterThan(0);
  // Asked again, the folder is decoded anew (a new object), the other is still the cached one.
  expect(await cache.get(poster, manifestOf("poster-straight"))).not.toBe(first);
  const mugLayers = cache.get(mug, manifestOf("mug-cylinder"));
  cache.forget(`${mug}-other`); // a folder whose name merely starts alike is another template
  expect(cache.get(mug, manifestOf("mug-cylinder"))).toBe(mugLayers);
});
