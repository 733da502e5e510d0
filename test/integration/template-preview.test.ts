import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { FIXTURES, fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const manifestOf = (id: string) => JSON.parse(readFileSync(join(FIXTURES, "templates", id, "template.json"), "utf8")) as Record<string, unknown> & { placements: Array<Record<string, unknown>> };

function draftForm(manifest: unknown, files: Record<string, Array<[string, Uint8Array]>>, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.append("manifest", JSON.stringify(manifest));
  for (const [field, list] of Object.entries(files)) for (const [name, bytes] of list) form.append(field, new File([bytes], name));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

const preview = (t: TestApp, form: FormData) => t.request("/api/templates/preview", { method: "POST", body: form });

test("a draft renders at preview size without anything stored; moving a corner changes the render", async () => {
  const t = await makeTestApp();
  const m = manifestOf("living-room-angled");
  const background = fixture("templates/living-room-angled/background.jpg");
  const firstStarted = performance.now();
  const first = await preview(t, draftForm(m, { background: [["background.jpg", background]] }));
  const firstMs = performance.now() - firstStarted;
  expect(first.status).toBe(200);
  expect(first.headers.get("content-type")).toBe("image/jpeg");
  const a = await sharp(new Uint8Array(await first.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  expect(a.info).toMatchObject({ width: 800, height: 533 });

  // The same draft with its top-left corner moved: the folder of scaled layers is reused.
  m.placements[0]!.corners = [[600, 300], [1962.4, 307.1], [1962.4, 1292.9], [1033.5, 1406.4]];
  const started = performance.now();
  const second = await preview(t, draftForm(m, { background: [["background.jpg", background]] }));
  const ms = performance.now() - started;
  expect(second.status).toBe(200);
  const b = await sharp(new Uint8Array(await second.arrayBuffer())).raw().toBuffer();
  let differing = 0;
  for (let i = 0; i < b.length; i += 3) if (Math.abs(b[i]! - a.data[i]!) > 40) differing++;
  expect(differing).toBeGreaterThan(2000); // the triangle the corner swept
  expect(ms).toBeLessThan(1500); // 300 ms on an idle machine; shared CI machines are slower
  expect(readdirSync(join(t.config.dataDir, "template-drafts"))).toHaveLength(1);

  // The editor's case: one corner dragged, a preview per step (the figure the README quotes).
  const times: number[] = [];
  const renders: number[] = [];
  for (let i = 0; i < 7; i++) {
    m.placements[0]!.corners = [[900 - i * 40, 250], [1962.4, 307.1], [1962.4, 1292.9], [1033.5, 1406.4]];
    const t0 = performance.now();
    const res = await preview(t, draftForm(m, { background: [["background.jpg", background]] }));
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    renders.push(Number(res.headers.get("x-render-ms")));
  }
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!;
  console.log(`draft preview 3000x2000 → 800 px: first request ${Math.round(firstMs)} ms (scales the photo); a corner moved: request median ${Math.round(median(times))} ms, render median ${median(renders)} ms`);

  const list = (await (await t.request("/api/templates")).json()) as { items: unknown[] };
  // Only the built-in ones (however many ship): nothing was stored.
  expect((list.items as Array<{ builtIn: boolean }>).every((x) => x.builtIn)).toBe(true);
});

test("a preview shows one of the shop's designs, a mask, or says in plain codes what is wrong", async () => {
  const t = await makeTestApp();
  const up = (await (await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]], { kind: "physical", product: "poster" })).json()) as { created: Array<{ id: string }> };
  const m = manifestOf("canvas-wood-occluded");
  const files = { background: [["background.jpg", fixture("templates/canvas-wood-occluded/background.jpg")]] as Array<[string, Uint8Array]> };
  const masks = { masks: [["mask-p1.png", fixture("templates/canvas-wood-occluded/mask-p1.png")]] as Array<[string, Uint8Array]> };
  const ok = await preview(t, draftForm(m, { ...files, ...masks }, { designId: up.created[0]!.id }));
  expect(ok.status, await ok.clone().text()).toBe(200);

  const noMask = await preview(t, draftForm(m, files));
  expect(noMask.status).toBe(400);
  expect(((await noMask.json()) as { error: { code: string } }).error.code).toBe("missing_mask");

  const bad = await preview(t, draftForm({ ...m, id: undefined, width: 100 }, { ...files, ...masks }));
  expect(bad.status).toBe(400);
  const body = (await bad.json()) as { error: { code: string; details: { problems: string[] } } };
  expect(body.error.code).toBe("invalid_manifest");
  expect(body.error.details.problems.some((p) => p.startsWith("id:"))).toBe(true);

  const size = await preview(t, draftForm({ ...m, width: 2000 }, { ...files, ...masks }));
  expect(size.status).toBe(422);
  expect(((await size.json()) as { error: { code: string } }).error.code).toBe("template_size_mismatch");

  const other = await preview(t, draftForm(m, { ...files, ...masks }, { designId: crypto.randomUUID() }));
  expect(other.status).toBe(404);
});

test("the editor opens a template through its whole manifest and the files it names", async () => {
  const t = await makeTestApp();
  const m = (await (await t.request("/api/templates/canvas-wood-occluded/manifest")).json()) as { background: string; placements: Array<{ mask?: string }> };
  expect(m.background).toBe("background.jpg");
  expect(m.placements[0]!.mask).toBe("mask-p1.png");
  const mask = await t.request("/api/templates/canvas-wood-occluded/files/mask-p1.png");
  expect(mask.status).toBe(200);
  expect(mask.headers.get("content-type")).toBe("image/png");
  expect(new Uint8Array(await mask.arrayBuffer())).toEqual(fixture("templates/canvas-wood-occluded/mask-p1.png"));
  expect((await t.request("/api/templates/canvas-wood-occluded/files/template.json")).status).toBe(404);
  expect((await t.request("/api/templates/nope/manifest")).status).toBe(404);
});
