import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startWebServer, type WebServer } from "../support/browser.ts";
import { readFileSync } from "node:fs";
import { FIXTURES, fixture } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";
import sharp from "sharp";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;
/** Bytes of a file relative to this test. */
const fixtureOf = (path: string) => new Uint8Array(readFileSync(new URL(path, import.meta.url).pathname));

/** Mean grey level of the preview image, read back from a canvas: it changes when the render does. */
const PREVIEW_SIGNATURE = `(() => {
  const img = document.querySelector("#editor-preview");
  const c = document.createElement("canvas");
  c.width = 64; c.height = 43;
  const ctx = c.getContext("2d");
  ctx.drawImage(img, 0, 0, 64, 43);
  return Array.from(ctx.getImageData(0, 0, 64, 43).data.filter((_, i) => i % 4 === 0));
})()`;

describe("the corner editor in a real browser", () => {
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    [web, browser] = await Promise.all([startWebServer(), launchChromium()]);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await web?.stop();
  });

  async function designViaApi(name: string): Promise<string> {
    const form = new FormData();
    form.append("files", new File([fixture(`artwork/${name}`)], name));
    form.append("kind", "digital");
    const res = await fetch(`${web!.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${web!.token}` } });
    const id = ((await res.json()) as { created?: Array<{ id: string }> }).created?.[0]?.id;
    if (!id) throw new Error(`${name} was not created`);
    return id;
  }

  /** The centre of handle `k` of placement `i`, in page pixels. */
  async function handleCentre(page: Page, i: number, k: number): Promise<{ x: number; y: number }> {
    const box = (await page.locator(`#editor-stage .handle[data-placement="${i}"][data-corner="${k}"]`).boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  const renders = async (page: Page) => Number((await page.getAttribute("#editor-preview", "data-renders")) ?? 0);

  /** Polls `expression` in the page (waitForFunction evaluates strings, which the page's CSP forbids). */
  async function until(page: Page, expression: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate(expression))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await Bun.sleep(50);
    }
  }

  test.skipIf(skip)("a template from a photo: detected corners, dragged, previewed, saved, used for a mockup", async () => {
    const designId = await designViaApi("storm-1920.jpg");
    const page = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors });
    await page.click("#tab-templates");
    await page.setInputFiles("#editor-photo", join(FIXTURES, "templates/living-room-angled/background.jpg"));
    await page.locator("#editor-status", { hasText: "Found a print area" }).waitFor();
    await page.locator("#editor-body").waitFor({ state: "visible" });
    expect(await page.textContent("#editor-size")).toContain("3000 × 2000");

    // The handles start on the frame the server found: corner 1 near (1033, 194) of 3000 × 2000.
    await page.locator("#editor-stage").scrollIntoViewIfNeeded();
    const stage = (await page.locator("#editor-stage").boundingBox())!;
    const c1 = await handleCentre(page, 0, 0);
    expect(Math.abs((c1.x - stage.x) / stage.width - 1033.5 / 3000)).toBeLessThan(0.01);
    expect(Math.abs((c1.y - stage.y) / stage.height - 193.6 / 2000)).toBeLessThan(0.01);

    // The live preview shows the shop's design in the frame.
    await until(page, `Number(document.querySelector("#editor-preview").dataset.renders ?? 0) >= 1`);
    expect(await page.inputValue("#editor-design")).toBe(designId);
    await until(page, `document.querySelector("#editor-preview").complete`);
    const before = (await page.evaluate(PREVIEW_SIGNATURE)) as number[];

    // Drag corner 1 up and to the left with the mouse; the magnifier shows while dragging.
    const rendersBefore = await renders(page);
    await page.mouse.move(c1.x, c1.y);
    await page.mouse.down();
    await page.mouse.move(c1.x - stage.width * 0.15, c1.y + stage.height * 0.05, { steps: 8 });
    expect(await page.locator(".stage__magnifier").isVisible()).toBe(true);
    await page.locator("#editor-stage").screenshot({ path: join(ARTIFACTS, "template-editor-dragging.png") });
    await page.mouse.up();
    expect(await page.locator(".stage__magnifier").isVisible()).toBe(false);
    const label = (await page.getAttribute('#editor-stage .handle[data-placement="0"][data-corner="0"]', "aria-label"))!;
    const x = Number(/x (\d+)/.exec(label)![1]);
    expect(x).toBeGreaterThan(500);
    expect(x).toBeLessThan(700);

    // Arrow keys move the focused corner.
    await page.keyboard.press("Shift+ArrowRight");
    const moved = (await page.getAttribute('#editor-stage .handle[data-placement="0"][data-corner="0"]', "aria-label"))!;
    expect(Number(/x (\d+)/.exec(moved)![1])).toBeGreaterThan(x);

    // The preview follows the corners.
    await until(page, `Number(document.querySelector("#editor-preview").dataset.renders ?? 0) > ${rendersBefore}`);
    await until(page, `document.querySelector("#editor-preview").complete`);
    const after = (await page.evaluate(PREVIEW_SIGNATURE)) as number[];
    const changed = after.filter((v, i) => Math.abs(v - before[i]!) > 30).length;
    expect(changed).toBeGreaterThan(40);

    // Problems in plain words next to the field, gone once fixed; a corner folded inwards too.
    await page.fill("#editor-id", "");
    await page.locator("#editor-id-problem li", { hasText: "Give the template an id" }).waitFor();
    await page.fill("#editor-id", "My Room");
    await page.locator("#editor-id-problem li", { hasText: "lower-case letters" }).waitFor();
    await page.fill("#editor-id", "my-room");
    await page.locator("#editor-id-problem li").waitFor({ state: "detached" });
    await page.locator("#editor-room-problem li", { hasText: "Say which room" }).waitFor();
    await page.fill("#editor-room", "living room");
    await page.locator("#editor-room-problem li").waitFor({ state: "detached" });
    const c3 = await handleCentre(page, 0, 2);
    const c2 = await handleCentre(page, 0, 1);
    await page.mouse.move(c3.x, c3.y);
    await page.mouse.down();
    await page.mouse.move(c2.x - stage.width * 0.4, c2.y - 10, { steps: 4 });
    await page.mouse.up();
    await page.locator("#editor-p0-problem li", { hasText: "cross or fold" }).waitFor();
    await page.mouse.move(c2.x - stage.width * 0.4, c2.y - 10);
    await page.mouse.down();
    await page.mouse.move(c3.x, c3.y, { steps: 4 });
    await page.mouse.up();
    await page.locator("#editor-p0-problem li").waitFor({ state: "detached" });
    expect(await page.textContent("#editor-body")).not.toContain("Invalid input");

    await page.screenshot({ path: join(ARTIFACTS, "template-editor-desktop.png"), fullPage: true });
    await page.click("#editor-save");
    await page.locator('#template-list li[data-template-id="my-room"]').waitFor();
    expect(await page.textContent("#editor-status")).toContain("saved");

    // The saved template has the dragged corner, and makes a mockup.
    const saved = (await (await fetch(`${web!.url}/api/templates/my-room`, { headers: { authorization: `Bearer ${web!.token}` } })).json()) as { placements: Array<{ corners: number[][] }> };
    expect(saved.placements[0]!.corners[0]![0]).toBeGreaterThan(x);
    // Edit opens it again in the same editor; saving replaces it.
    await page.locator('#template-list li[data-template-id="my-room"] button', { hasText: "Edit" }).click();
    await page.locator("#editor-status", { hasText: "saving replaces it" }).waitFor();
    expect(await page.inputValue("#editor-id")).toBe("my-room");
    await page.fill("#editor-name", "My room, renamed");
    await page.click("#editor-save");
    await page.locator('#template-list li[data-template-id="my-room"]', { hasText: "My room, renamed" }).waitFor();
    expect(await page.locator('#template-list li[data-template-id="my-room"]').count()).toBe(1);

    await page.click("#tab-mockups");
    await page.locator(`#mockup-design option[value="${designId}"]`).waitFor({ state: "attached" });
    await page.selectOption("#mockup-design", designId);
    await page.locator('#template-choices input[value="my-room"]').check();
    await page.click("#mockup-submit");
    await page.locator("#mockup-results li.mockup-tile--ready img").waitFor({ timeout: 30_000 });
    expect(pageErrors).toEqual([]);
  }, 90_000);

  test.skipIf(skip)("at 390 px with a touch screen: the editor fits, a template opens for editing with its mask, a finger drags a corner, a mask is painted", async () => {
    // A phone: touch events, which Chromium turns into the pointer events the handles follow.
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(web!.signInLink);
    await page.locator("#workspace").waitFor({ state: "visible" });
    await page.click("#tab-templates");
    await page.locator('#template-list li[data-template-id="canvas-wood-occluded"] button', { hasText: "Edit a copy" }).click();
    await page.locator("#editor-status", { hasText: "copy of the built-in template" }).waitFor();
    expect(await page.inputValue("#editor-id")).toBe("canvas-wood-occluded-copy");
    expect(await page.textContent("#editor-p0-mask-state")).toContain("mask-p1.png");
    await until(page, `Number(document.querySelector("#editor-preview").dataset.renders ?? 0) >= 1`);
    // Nothing wider than the screen.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);

    // A finger drags corner 2 to the left.
    await page.locator("#editor-stage").scrollIntoViewIfNeeded();
    const from = await handleCentre(page, 0, 1);
    const xOf = async () => Number(/x (\d+)/.exec((await page.getAttribute('#editor-stage .handle[data-placement="0"][data-corner="1"]', "aria-label"))!)![1]);
    const before = await xOf();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: from.x, y: from.y }] });
    for (let i = 1; i <= 6; i++) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: from.x - i * 8, y: from.y + i * 2 }] });
    expect(await page.locator(".stage__magnifier").isVisible()).toBe(true);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    expect(await xOf()).toBeLessThan(before - 50); // 48 screen px of a 2560 px photo shown about 340 px wide

    // Placements are added (four more handles) and removed.
    await page.click("#editor-add-placement");
    expect(await page.locator("#editor-stage .handle").count()).toBe(8);
    await page.locator('#editor-placements [data-placement="1"] button', { hasText: "Remove placement" }).click();
    expect(await page.locator("#editor-stage .handle").count()).toBe(4);

    // Paint a rectangle out of the mask instead of the file.
    await page.click("#editor-p0-paint");
    await page.locator("#editor-stage").scrollIntoViewIfNeeded();
    const stage = (await page.locator("#editor-stage").boundingBox())!;
    await page.mouse.move(stage.x + stage.width * 0.25, stage.y + stage.height * 0.6);
    await page.mouse.down();
    await page.mouse.move(stage.x + stage.width * 0.4, stage.y + stage.height * 0.9, { steps: 4 });
    await page.mouse.up();
    expect(await page.textContent("#editor-p0-mask-state")).toContain("rectangle painted out");
    await page.screenshot({ path: join(ARTIFACTS, "template-editor-390.png"), fullPage: true });
    // What only the server knows is shown next to its field too.
    await page.fill("#editor-id", "poster-straight");
    await page.click("#editor-save");
    await page.locator("#editor-id-problem li", { hasText: "is the id of a built-in template" }).waitFor();
    await page.fill("#editor-id", "canvas-wood-occluded-copy");
    await page.locator("#editor-id-problem li").waitFor({ state: "detached" });
    await page.click("#editor-save");
    await page.locator('#template-list li[data-template-id="canvas-wood-occluded-copy"]').waitFor();
    expect(pageErrors).toEqual([]);
  }, 90_000);

  test.skipIf(skip)("a template with overlays, a colourway, a displacement map and a mask keeps every file and field through the editor", async () => {
    const designId = designViaApi("ladybird-2560.jpg");
    const api = (path: string, init: RequestInit = {}) => fetch(`${web!.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${web!.token}` } });
    const mug = (name: string) => fixtureOf(`../../src/templates/mug-cylinder/${name}`);
    const builtIn = JSON.parse(new TextDecoder().decode(mug("template.json"))) as Record<string, any>;
    // A mask with a band painted out, and gentle ripples to displace the print by.
    const mask = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: "#ffffff" } })
      .composite([{ input: { create: { width: 1600, height: 50, channels: 3, background: "#000000" } }, top: 700, left: 0 }])
      .greyscale().png().toBuffer();
    const ripples = await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1200"><defs><linearGradient id="g" x1="0" x2="0" y1="0" y2="1" spreadMethod="reflect"><stop offset="0" stop-color="#707070"/><stop offset="0.1" stop-color="#909090"/></linearGradient></defs><rect width="1600" height="1200" fill="url(#g)"/></svg>`))
      .greyscale().png().toBuffer();
    const manifest = {
      ...builtIn,
      id: "studio-mug",
      name: "Studio mug",
      placements: [{ ...builtIn.placements[0], mask: "print-mask.png", displacement: { map: "ripples.png", strength: 5 } }],
    };
    const files: Array<[string, string, Uint8Array]> = [
      ["background", "background.jpg", mug("background.jpg")],
      ["masks", "print-mask.png", new Uint8Array(mask)],
      ["masks", "ripples.png", new Uint8Array(ripples)],
      ["masks", "shading.png", mug("shading.png")],
      ["masks", "glare.png", mug("glare.png")],
      ["masks", "product-mask.png", mug("product-mask.png")],
    ];
    const upload = (m: unknown) => {
      const form = new FormData();
      form.append("manifest", JSON.stringify(m));
      for (const [field, name, bytes] of files) form.append(field, new File([bytes], name));
      return api("/api/templates", { method: "POST", body: form });
    };
    expect((await upload(manifest)).status).toBe(201);
    const before = (await (await api("/api/templates/studio-mug")).json()) as { version: string; manifest: Record<string, any> };

    const page = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors });
    await page.click("#tab-templates");
    await page.locator('#template-list li[data-template-id="studio-mug"] button', { hasText: "Edit" }).click();
    await page.locator("#editor-status", { hasText: "saving replaces it" }).waitFor();
    expect(await page.textContent("#editor-status")).toContain("Kept as they are: its cylinder warp, displacement map, overlays and colourways.");
    expect(await page.textContent("#editor-p0-mask-state")).toContain("print-mask.png");
    // The live preview takes the overlays, the map and the colourway mask from the stored template.
    await until(page, `Number(document.querySelector("#editor-preview").dataset.renders ?? 0) >= 1`);
    expect(await page.textContent("#editor-preview-status")).toContain("Preview updated");
    await page.screenshot({ path: join(ARTIFACTS, "template-editor-kept-desktop.png"), fullPage: true });

    // Corner 1 moves 10 × 10 photo pixels right (Shift + arrow: ten stage pixels, at least ten photo pixels).
    await page.locator('#editor-stage .handle[data-placement="0"][data-corner="0"]').focus();
    await page.keyboard.press("Shift+ArrowRight");
    const label = (await page.getAttribute('#editor-stage .handle[data-placement="0"][data-corner="0"]', "aria-label"))!;
    const x = Number(/x (\d+)/.exec(label)![1]);
    expect(x).toBeGreaterThan(534);
    const sent: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "PUT") sent.push(r.postData() ?? "");
    });
    await page.click("#editor-save");
    await page.locator("#editor-status", { hasText: "saved" }).waitFor();
    // Only the manifest travelled: the photo and every file stayed on the server.
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toContain('filename="');

    const after = (await (await api("/api/templates/studio-mug")).json()) as { version: string; colors: unknown[]; manifest: Record<string, any> };
    expect(after.version).not.toBe(before.version);
    const { corners, ...rest } = after.manifest.placements[0];
    const { corners: oldCorners, ...oldRest } = before.manifest.placements[0];
    expect(rest).toEqual(oldRest); // warp, opacity, mask, displacement, blend, fit as they were
    expect(Math.abs(corners[0][0] - x)).toBeLessThanOrEqual(0.5);
    expect(corners.slice(1)).toEqual(oldCorners.slice(1));
    expect(after.manifest.overlays).toEqual(builtIn.overlays);
    expect(after.manifest.colorways).toEqual(builtIn.colorways);
    expect(after.colors).toHaveLength(2);

    // A mockup in black: exactly what a template uploaded from scratch with the saved manifest and the same files makes.
    expect((await upload({ ...after.manifest, id: "studio-mug-check" })).status).toBe(201);
    const renderOf = async (templateId: string) => {
      const res = await api("/api/mockups", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ designId: await designId, templates: [{ templateId, color: "black" }], format: "png", maxWidth: 800 }) });
      const { jobId } = (await res.json()) as { jobId: string };
      for (;;) {
        const job = (await (await api(`/api/jobs/${jobId}`)).json()) as { state: string; result: { mockups: Array<{ url: string }> } };
        if (job.state === "succeeded") return sharp(new Uint8Array(await (await api(job.result.mockups[0]!.url)).arrayBuffer())).removeAlpha().raw().toBuffer();
        if (job.state === "failed") throw new Error(`render of ${templateId} failed`);
        await Bun.sleep(100);
      }
    };
    const [edited, check] = await Promise.all([renderOf("studio-mug"), renderOf("studio-mug-check")]);
    let diff = 0;
    for (let i = 0; i < edited.length; i++) diff += Math.abs(edited[i]! - check[i]!);
    expect(diff / edited.length).toBe(0);
    // The colourway applies: the mug's handle (product, no print) is black.
    const at = (px: number, py: number) => edited[(py * 800 + px) * 3]!;
    expect(at(Math.round(1215 * 0.5), Math.round(590 * 0.5))).toBeLessThan(90);

    // At 390 px the same editor, a mesh template's copy: its corner drags the mesh with it.
    const phone = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors }, { width: 390, height: 844 });
    await phone.click("#tab-templates");
    await phone.locator('#template-list li[data-template-id="studio-mug"] button', { hasText: "Edit" }).click();
    await phone.locator("#editor-status", { hasText: "saving replaces it" }).waitFor();
    await until(phone, `Number(document.querySelector("#editor-preview").dataset.renders ?? 0) >= 1`);
    expect(await phone.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(ARTIFACTS, "template-editor-kept-390.png"), fullPage: true });
    await phone.locator('#template-list li[data-template-id="tshirt-folds"] button', { hasText: "Edit a copy" }).click();
    await phone.locator("#editor-status", { hasText: "copy of the built-in template" }).waitFor();
    expect(await phone.textContent("#editor-status")).toContain("mesh warp, displacement map, overlays and colourways");
    await phone.locator('#editor-stage .handle[data-placement="0"][data-corner="0"]').focus();
    await phone.keyboard.press("Shift+ArrowDown");
    await phone.locator("#editor-stage path").waitFor({ state: "attached" }); // the mesh's curved outline
    await phone.locator("#editor-stage").screenshot({ path: join(ARTIFACTS, "template-editor-mesh-390.png") });
    await phone.click("#editor-save");
    await phone.locator('#template-list li[data-template-id="tshirt-folds-copy"]').waitFor();
    const shirt = JSON.parse(new TextDecoder().decode(fixtureOf("../../src/templates/tshirt-folds/template.json"))) as Record<string, any>;
    const copy = (await (await api("/api/templates/tshirt-folds-copy")).json()) as { manifest: Record<string, any> };
    const [p0, ...others] = copy.manifest.placements[0].warp.points as number[][];
    const [s0, ...shirtOthers] = shirt.placements[0].warp.points as number[][];
    expect(p0![0]).toBeCloseTo(s0![0]!, 1);
    expect(p0![1]).toBeGreaterThan(s0![1]! + 5);
    // The far corner stays; points near the moved one follow it.
    expect(others.at(-1)).toEqual(shirtOthers.at(-1)!);
    expect(others[0]![1]).toBeGreaterThan(shirtOthers[0]![1]!);
    expect(copy.manifest.placements[0].displacement).toEqual(shirt.placements[0].displacement);
    expect(copy.manifest.overlays).toEqual(shirt.overlays);
    expect(copy.manifest.colorways).toEqual(shirt.colorways);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test.skipIf(skip)("a phone photo stored sideways (EXIF orientation 6) is turned upright: size and found frame as the seller sees it", async () => {
    const page = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors });
    // Stored 2000 × 3000, turned a quarter to the left; the tag turns it back to the 3000 × 2000 room.
    const stored = await sharp(fixture("templates/living-room-angled/background.jpg")).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
    await page.click("#tab-templates");
    await page.setInputFiles("#editor-photo", { name: "phone.jpg", mimeType: "image/jpeg", buffer: stored });
    await page.locator("#editor-status", { hasText: "Found a print area" }).waitFor();
    expect(await page.textContent("#editor-size")).toContain("3000 × 2000");
    const label = (await page.getAttribute('#editor-stage .handle[data-placement="0"][data-corner="0"]', "aria-label"))!;
    const [, x, y] = /x (\d+), y (\d+)/.exec(label)!.map(Number);
    expect(Math.hypot(x! - 1033.5, y! - 193.6)).toBeLessThan(0.015 * Math.hypot(3000, 2000));

    // A template.json gives the rest: id, name, room, placements (here the gallery's two, scaled to this photo).
    await page.setInputFiles("#editor-manifest", join(FIXTURES, "templates/gallery-wall-2up/template.json"));
    await page.locator("#editor-manifest-note", { hasText: "Took 2 placements" }).waitFor();
    expect(await page.inputValue("#editor-id")).toBe("gallery-wall-2up");
    expect(await page.locator("#editor-stage .handle").count()).toBe(8);
    const first = (await page.getAttribute('#editor-stage .handle[data-placement="0"][data-corner="0"]', "aria-label"))!;
    expect(first).toContain(`x ${Math.round((586 * 3000) / 3200)}, y 398`);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
