import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startWebServer, type WebServer } from "../support/browser.ts";
import { FIXTURES } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;

describe("duplicates, products and preflight in the web app", () => {
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "atelier-dup-browser-"));

  beforeAll(async () => {
    if (skip) return;
    // Small products: print files of a few hundred pixels keep the test quick.
    [web, browser] = await Promise.all([startWebServer({ PRINT_SIZES: '{"poster":2,"mug":1}', PRINT_LONGEST_SIDE_IN: "10" }), launchChromium()]);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await web?.stop();
  });

  async function uploadOne(page: Page, product: string, file: string): Promise<void> {
    await page.selectOption("#upload-product", product);
    await page.setInputFiles("#upload-files", [file]);
    await page.click("#upload-submit");
    await page.locator("#upload-status", { hasText: "Upload finished" }).waitFor();
  }

  async function shots(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, `${name}-390.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  test.skipIf(skip)("product picker, print size and warnings, Use for this product, Keep anyway, the gallery's figures", async () => {
    const page = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors });
    const storm = join(FIXTURES, "artwork/storm-1920.jpg");

    // The picker lists the shop's products (seeded from PRINT_SIZES) after "default".
    await page.locator('#upload-product option[value="mug"]').waitFor({ state: "attached" });
    expect(await page.locator("#upload-product option").allTextContents()).toEqual(["default", "poster (2 in, 400 DPI)", "mug (1 in, 400 DPI)"]);

    // 1920 px at the default 10 in: the row says the size, the DPI and the upscaled warning.
    await uploadOne(page, "default", storm);
    const created = page.locator('#upload-results li[data-outcome="created"]');
    expect(await created.textContent()).toContain("10 × 6.67 in at 400 DPI (192 DPI of detail)");
    expect(await created.locator('li.warning[data-code="upscaled"]').textContent()).toContain("192 DPI");
    await shots(page, "upload-preflight");

    // The same file for mug: a duplicate in words, offering the product; using it makes the mug print file.
    await uploadOne(page, "mug", storm);
    const dup = page.locator('#upload-results li[data-outcome="duplicate"]');
    expect(await dup.textContent()).toMatch(/Identical file to storm-1920\.jpg, uploaded \d+ \w{3}\./);
    await shots(page, "upload-duplicate-actions");
    await dup.locator('button[data-action="use-for-product"]').click();
    await page.locator('#upload-results li[data-added-product="mug"]').waitFor({ timeout: 30_000 });
    expect(await dup.locator(".result__status").textContent()).toContain("Added a mug print file to storm-1920.jpg: 1 × 0.67 in at 400 DPI.");

    // A smaller copy for mug now: a plain duplicate (the design has a mug file); kept anyway, it becomes a design.
    const small = join(dir, "storm-small.jpg");
    writeFileSync(small, await sharp(storm).resize({ width: 960 }).jpeg({ quality: 85 }).toBuffer());
    await uploadOne(page, "mug", small);
    const again = page.locator('#upload-results li[data-outcome="duplicate"]');
    expect(await again.textContent()).toContain("resized");
    expect(await again.locator('button[data-action="use-for-product"]').count()).toBe(0);
    await again.locator('button[data-action="keep"]').click();
    const kept = page.locator('#upload-results li[data-outcome="created"]', { hasText: "kept anyway" });
    await kept.waitFor();
    expect(await kept.textContent()).toContain("storm-small.jpg");

    // The gallery shows each design's print size, DPI and warnings.
    await page.click("#tab-designs");
    await page.locator("#design-grid li").nth(1).waitFor();
    const tile = page.locator("#design-grid li", { hasText: "storm-1920.jpg" });
    expect(await tile.textContent()).toContain("10 × 6.67 in at 400 DPI (192 DPI of detail)");
    expect(await tile.locator('li.warning[data-code="upscaled"]').count()).toBe(1);
    await shots(page, "gallery-preflight");

    // Its dialog lists every print file: the default one it was uploaded for and the mug one.
    await tile.locator(".design-tile__open").click();
    const prints = page.locator("#design-dialog-prints li.print-file");
    await prints.nth(1).waitFor();
    expect(await prints.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-product")))).toEqual(["default", "mug"]);
    const ownPrint = prints.nth(0);
    expect(await ownPrint.textContent()).toContain("uploaded for");
    expect(await ownPrint.textContent()).toContain("10 × 6.67 in at 400 DPI (192 DPI of detail)");
    expect(await ownPrint.textContent()).toContain("4000 × 2667 px");
    expect(await ownPrint.locator('li.warning[data-code="upscaled"]').count()).toBe(1);
    const mugPrint = prints.nth(1);
    expect(await mugPrint.textContent()).toContain("1 × 0.67 in at 400 DPI");
    expect(await mugPrint.textContent()).toContain("400 × 267 px");
    expect(await mugPrint.textContent()).not.toContain("uploaded for");
    expect(await mugPrint.locator("li.warning").count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent("download"), mugPrint.getByRole("button", { name: "Download the mug print file" }).click()]);
    expect(download.suggestedFilename()).toBe("storm-1920-mug.png");
    await shots(page, "design-dialog-print-files");
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
