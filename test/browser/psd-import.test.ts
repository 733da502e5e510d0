import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startWebServer, type WebServer } from "../support/browser.ts";
import { buildTestPsd, paint, photoArtwork } from "../support/psd-builder.ts";
import { note } from "../support/test-database.ts";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;

describe("PSD import in a real browser", () => {
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

  test.skipIf(skip)("a mockup PSD becomes a template in the list; a PSD without a smart object says why, in plain words", async () => {
    const W = 800, H = 600;
    const wall = paint(W, H, (x, y) => [190 + Math.round(20 * Math.sin(x / 90)), 185, 175 - Math.round(y / 40), 255]);
    const good = buildTestPsd({
      width: W,
      height: H,
      below: [{ name: "Wall", pixels: wall }],
      smartObjects: [{ name: "Poster", corners: [[250, 90], [560, 110], [550, 500], [260, 480]], content: await photoArtwork(300, 400) }],
      above: [],
    });
    const flat = buildTestPsd({ width: W, height: H, below: [{ name: "Wall", pixels: wall }], smartObjects: [] });
    const goodPath = join(ARTIFACTS, "Hallway poster.psd");
    const flatPath = join(ARTIFACTS, "flat.psd");
    writeFileSync(goodPath, good.bytes);
    writeFileSync(flatPath, flat.bytes);

    for (const [viewport, label] of [[{ width: 1280, height: 900 }, "desktop"], [{ width: 390, height: 844 }, "390"]] as const) {
      const page = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors }, viewport);
      await page.click("#tab-templates");
      await page.locator("#template-list li").first().waitFor();

      // Nothing chosen: said next to the form.
      await page.click("#psd-import-button");
      expect(await page.textContent("#psd-problem")).toContain("Choose a .psd or .psb file first.");

      await page.setInputFiles("#psd-file", flatPath);
      await page.click("#psd-import-button");
      await page.locator("#psd-problem li").waitFor();
      expect(await page.textContent("#psd-problem")).toContain("no visible smart-object layer");

      await page.setInputFiles("#psd-file", goodPath);
      if (label === "390") await page.fill("#psd-name", "Hallway poster, phone");
      await page.click("#psd-import-button");
      await page.locator("#psd-import-status", { hasText: "Imported" }).waitFor({ timeout: 30_000 });
      expect(await page.textContent("#psd-problem")).toBe("");
      if (label === "390") expect(await page.textContent("#psd-import-status")).toContain("“Hallway poster, phone”");
      // The id comes from the file's name.
      const tile = page.locator('#template-list li[data-template-id="hallway-poster"]');
      await tile.waitFor();
      expect(await tile.textContent()).toContain("800 × 600 · 1 placement");
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
      await page.locator("#psd-import").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, `psd-import-${label}.png`), fullPage: false });
      // The second viewport imports the same file: free its id first.
      if (label === "desktop") await fetch(`${web!.url}/api/templates/hallway-poster`, { method: "DELETE", headers: { authorization: `Bearer ${web!.token}` } });
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
