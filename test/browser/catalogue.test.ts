import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startWebServer, type WebServer } from "../support/browser.ts";
import { fixture } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;

// Issue 18 in a real browser: tokens, storage, the searchable gallery, mockup history, bulk mockups.
describe("the catalogue in a real browser", () => {
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

  const signIn = (width = 1280, height = 900): Promise<Page> => signedInPage(browser!, web!.signInLink, { contexts, pageErrors }, { width, height });

  test.skipIf(skip)("the sign-in form says how to get a new token", async () => {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(web!.url);
    await page.locator("#sign-in").waitFor({ state: "visible" });
    expect(await page.locator("#sign-in-lost").textContent()).toContain("npm run cli user token --shop");
  });

  test.skipIf(skip)("Shop tab: the shop's name, tokens listed, one created and shown once, revoked", async () => {
    const page = await signIn();
    await page.locator("#shop-name", { hasText: "My shop" }).waitFor();
    await page.click("#tab-shop");
    await page.locator("#token-list li").first().waitFor();
    expect(await page.locator("#token-list li").count()).toBe(1);
    expect(await page.locator("#token-list li").first().textContent()).toContain("this browser");
    await page.locator("#storage-where", { hasText: "working" }).waitFor();
    expect(await page.locator("#storage-usage").textContent()).toContain("Designs (print files)");
    await page.fill("#token-name", "upload script");
    await page.click("#token-create");
    await page.locator("#token-made").waitFor({ state: "visible" });
    const token = (await page.locator("#token-made-value").textContent())!.trim();
    expect(token).toMatch(/^atl_/);
    await page.locator("#token-list li", { hasText: "upload script" }).waitFor();
    expect((await fetch(`${web!.url}/api/designs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await page.screenshot({ path: `${ARTIFACTS}catalogue-shop-1280.png`, fullPage: true });

    page.once("dialog", (d) => void d.accept());
    await page.locator("#token-list li", { hasText: "upload script" }).getByRole("button", { name: /Revoke/ }).click();
    await page.locator("#token-status", { hasText: "revoked" }).waitFor();
    await page.locator("#token-list li", { hasText: "upload script" }).waitFor({ state: "detached" });
    expect((await fetch(`${web!.url}/api/designs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });

  test.skipIf(skip)("Mockups tab: recent sets come from the server, survive a reload, and show again", async () => {
    const designId = await designViaApi(web!, "storm-1920.jpg");
    const res = await fetch(`${web!.url}/api/mockups`, {
      method: "POST",
      headers: { authorization: `Bearer ${web!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ designId, templateIds: ["poster-straight", "living-room-angled"] }),
    });
    const { jobId } = (await res.json()) as { jobId: string };
    for (let i = 0; i < 200; i++) {
      const job = (await (await fetch(`${web!.url}/api/jobs/${jobId}`, { headers: { authorization: `Bearer ${web!.token}` } })).json()) as { state: string };
      if (job.state === "succeeded") break;
      await Bun.sleep(100);
    }
    const page = await signIn();
    // The jobs list names what each job was for.
    await page.locator("#jobs li", { hasText: "Mockups of storm-1920.jpg, 2 templates" }).waitFor();
    await page.click("#tab-mockups");
    const row = page.locator(`#recent-sets li[data-job-id="${jobId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("Mockups of storm-1920.jpg, 2 templates");
    await page.reload();
    await page.click("#tab-mockups");
    await row.getByRole("button", { name: /Show/ }).click();
    await until(page, `document.querySelectorAll("#mockup-results li.mockup-tile--ready img").length === 2`);
    expect(await page.locator("#mockup-status").textContent()).toContain("2 mockups ready");
    await page.screenshot({ path: `${ARTIFACTS}catalogue-mockup-history-1280.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  test.skipIf(skip)("Designs tab: search, select with shift-click, tag many, open one large with its mockups, delete", async () => {
    // The mockup test above made storm-1920.jpg (with 2 mockups); two more here.
    await designViaApi(web!, "ladybird-2560.jpg");
    await designViaApi(web!, "elephants-3840.jpg");
    const page = await signIn();
    await page.click("#tab-designs");
    const tiles = page.locator("#design-grid li");
    await tiles.nth(2).waitFor();

    await page.fill("#designs-q", "LADY");
    await page.press("#designs-q", "Enter");
    await page.locator("#designs-status", { hasText: "Showing 1 design that match" }).waitFor();
    expect(await tiles.count()).toBe(1);
    await page.click('#designs-filter button[type="reset"]');
    await page.locator("#designs-status", { hasText: "Showing 3 designs (all of them)" }).waitFor();
    await page.selectOption("#designs-has-mockups", "true");
    await page.locator("#designs-status", { hasText: "Showing 1 design that match" }).waitFor();
    expect(await tiles.first().textContent()).toContain("storm-1920.jpg");
    await page.selectOption("#designs-has-mockups", "");
    await page.locator("#designs-status", { hasText: "Showing 3 designs (all of them)" }).waitFor();

    // Click the first, shift-click the third: all three.
    await tiles.nth(0).locator("input.design-tile__select").click();
    await tiles.nth(2).locator("input.design-tile__select").click({ modifiers: ["Shift"] });
    expect(await page.locator("#designs-selected").textContent()).toBe("3 designs selected");
    expect(await page.locator("#designs-select-all").isChecked()).toBe(true);
    await page.fill("#designs-tag", "Blue");
    await page.click("#designs-tag-add");
    await page.locator("#designs-status", { hasText: 'Tagged 3 designs "blue"' }).waitFor();
    expect(await page.locator("#design-grid .tag", { hasText: "blue" }).count()).toBe(3);
    await page.screenshot({ path: `${ARTIFACTS}catalogue-designs-1280.png`, fullPage: true });
    await page.click("#designs-select-all"); // none again
    expect(await page.locator("#designs-selected").textContent()).toBe("None selected");

    // Large on click, with its mockups and tags.
    await page.locator("#design-grid li", { hasText: "storm-1920.jpg" }).locator(".design-tile__open").click();
    await page.locator("#design-dialog").waitFor({ state: "visible" });
    await until(page, `(() => { const i = document.querySelector("#design-dialog-image"); return i.dataset.src.includes("size=large") && i.complete && i.naturalWidth > 320; })()`);
    await page.locator("#design-dialog-mockups-list li[data-mockup-id]").nth(1).waitFor();
    await page.locator("#design-dialog-tags li", { hasText: "blue" }).getByRole("button").click();
    await page.locator("#design-dialog-tags", { hasText: "No tags yet." }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}catalogue-design-dialog-1280.png` });
    await page.click("#design-dialog-close");
    expect(await page.locator("#design-grid li", { hasText: "storm-1920.jpg" }).locator(".tag").count()).toBe(0);

    // Delete two at once.
    await page.locator("#design-grid li", { hasText: "ladybird" }).locator("input.design-tile__select").click();
    await page.locator("#design-grid li", { hasText: "elephants" }).locator("input.design-tile__select").click();
    page.once("dialog", (d) => void d.accept());
    await page.click("#designs-bulk-delete");
    await page.locator("#designs-status", { hasText: "Deleted 2 designs." }).waitFor();
    expect(await tiles.count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  test.skipIf(skip)("bulk mockups from the selection: one batch, progress over the whole, the ZIP", async () => {
    await designViaApi(web!, "twowings-2560.jpg");
    const page = await signIn();
    await page.click("#tab-designs");
    const tiles = page.locator("#design-grid li");
    await tiles.nth(1).waitFor();
    await page.click("#designs-select-all");
    const n = await tiles.count();
    expect(n).toBe(2);
    await page.click("#designs-bulk-mockups");
    await page.locator("#batch-dialog").waitFor({ state: "visible" });
    const boxes = page.locator("#batch-templates input[data-template]");
    await boxes.first().waitFor();
    const ids = await boxes.evaluateAll((all) => all.map((b) => (b as unknown as { value: string }).value));
    const plain = ids.filter((id) => id !== "mug-cylinder" && id !== "tshirt-folds").slice(0, 2);
    for (let i = 0; i < ids.length; i++) await boxes.nth(i).setChecked(plain.includes(ids[i]!));
    expect(await page.locator("#batch-template-count").textContent()).toContain("4 mockups in all");
    // A template with colourways shows its colours once ticked; each colour ticked is a mockup.
    const mugColours = page.locator('#batch-templates [role="group"][aria-label^="Colours of"]').filter({ has: page.locator('input[data-color-of="mug-cylinder"]') });
    expect(await mugColours.isVisible()).toBe(false);
    await page.locator('#batch-templates input[data-template="mug-cylinder"]').check();
    await mugColours.waitFor({ state: "visible" });
    expect(await page.locator("#batch-template-count").textContent()).toContain("3 mockups per design");
    await mugColours.locator("input").nth(0).check(); // replaces the mug as photographed
    expect(await page.locator("#batch-template-count").textContent()).toContain("3 mockups per design");
    await mugColours.locator("input").nth(1).check();
    expect(await page.locator("#batch-template-count").textContent()).toContain("4 mockups per design, up to 10: 8 mockups in all");
    // Ten per design at most: with the t-shirt's five colours as well, the rest are disabled.
    await page.locator('#batch-templates input[data-template="tshirt-folds"]').check();
    const shirt = page.locator('#batch-templates input[data-color-of="tshirt-folds"]');
    for (let i = 0; i < 5; i++) await shirt.nth(i).check();
    expect(await page.locator("#batch-template-count").textContent()).toContain("9 mockups per design");
    const disabled = await page.locator("#batch-templates input[data-template]:not(:checked)").evaluateAll((all) => all.map((b) => (b as unknown as { disabled: boolean }).disabled));
    expect(disabled.every((d) => !d)).toBe(true); // one more template still fits
    await page.screenshot({ path: `${ARTIFACTS}catalogue-batch-colours-1280.png` });
    await page.locator('#batch-templates input[data-template="tshirt-folds"]').uncheck(); // its colours go with it
    expect(await page.locator("#batch-template-count").textContent()).toContain("4 mockups per design");
    await page.click("#batch-start");
    await page.locator("#batch-status", { hasText: "8 mockups made." }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: `${ARTIFACTS}catalogue-batch-1280.png` });
    const download = page.waitForEvent("download");
    await page.click("#batch-zip");
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^mockups-.*\.zip$/);
    const path = `${ARTIFACTS}catalogue-batch.zip`;
    await file.saveAs(path);
    expect(Bun.spawnSync(["unzip", "-t", path]).stdout.toString()).toContain("No errors detected");
    const names = Bun.spawnSync(["zipinfo", "-1", path]).stdout.toString();
    for (const colour of ["mug-cylinder-white", "mug-cylinder-black"]) expect(names).toContain(`twowings-2560/${colour}.jpg`);
    await page.click("#batch-close");
    await page.locator("#jobs li", { hasText: "Mockups of 2 designs × 4 mockups (3 templates in colours)" }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  test.skipIf(skip)("print files for a product from the selection: picked from the shop's products, each design's outcome", async () => {
    const put = await fetch(`${web!.url}/api/products`, {
      method: "PUT",
      headers: { authorization: `Bearer ${web!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ products: [{ name: "poster", longestSideIn: 3, dpi: 300 }, { name: "mug", widthIn: 2, heightIn: 1, dpi: 300 }] }),
    });
    expect(put.status).toBe(200);
    const page = await signIn();
    await page.click("#tab-designs");
    const tiles = page.locator("#design-grid li");
    await tiles.nth(1).waitFor();
    expect(await page.locator("#designs-bulk-print").isDisabled()).toBe(true);
    await page.click("#designs-select-all");
    await page.click("#designs-bulk-print");
    await page.locator("#print-files-dialog").waitFor({ state: "visible" });
    await page.locator("#print-files-product option").nth(1).waitFor({ state: "attached" });
    expect(await page.locator("#print-files-product option").allTextContents()).toEqual(["poster (3 in, 300 DPI)", "mug (2 × 1 in, 300 DPI)"]);
    await page.selectOption("#print-files-product", "mug");
    expect(await page.locator("#print-files-start").textContent()).toBe("Make print files for mug");
    expect(await page.locator("#print-files-title").textContent()).toBe("Make print files for mug");
    expect(await page.locator("#print-files-list > li").count()).toBe(2);
    await page.click("#print-files-start");
    await page.locator("#print-files-status", { hasText: "2 print files made." }).waitFor({ timeout: 30_000 });
    const rows = page.locator("#print-files-list > li");
    for (let i = 0; i < 2; i++) {
      expect(await rows.nth(i).getAttribute("data-state")).toBe("made");
      expect(await rows.nth(i).textContent()).toMatch(/Made: \d+ × \d+ px, [\d.]+ × [\d.]+ in at 300 DPI/);
    }
    await page.screenshot({ path: `${ARTIFACTS}catalogue-print-files-1280.png` });
    // The tiles behind the dialog name the new product, their selection kept.
    expect(await page.locator(".design-tile__others", { hasText: "Also for mug" }).count()).toBe(2);
    expect(await page.locator(".design-tile__select:checked").count()).toBe(2);
    await page.locator("#jobs li", { hasText: 'Print files for "mug" of 2 designs' }).waitFor();

    // Again for mug: each design says it has one already, and no job is queued.
    await page.click("#print-files-close");
    await page.click("#designs-bulk-print");
    await page.locator("#print-files-product option").nth(1).waitFor({ state: "attached" });
    await page.selectOption("#print-files-product", "mug");
    await page.click("#print-files-start");
    await page.locator("#print-files-status", { hasText: "No print file to make" }).waitFor();
    expect(await rows.evaluateAll((all) => all.map((r) => (r as unknown as { dataset: { state?: string } }).dataset.state))).toEqual(["skipped", "skipped"]);
    expect(await rows.first().textContent()).toContain("Has one for mug already.");
    expect(pageErrors).toEqual([]);
  });

  test.skipIf(skip)("the bulk dialogs at 390 px", async () => {
    const page = await signIn(390, 844);
    await page.click("#tab-designs");
    await page.locator("#design-grid li").nth(1).waitFor();
    await page.click("#designs-select-all");
    await page.screenshot({ path: `${ARTIFACTS}catalogue-bulk-bar-390.png`, fullPage: true });
    await page.click("#designs-bulk-mockups");
    await page.locator('#batch-templates input[data-template="tshirt-folds"]').check();
    await page.locator('#batch-templates input[data-color-of="tshirt-folds"]').nth(1).check();
    await page.screenshot({ path: `${ARTIFACTS}catalogue-batch-colours-390.png` });
    expect(await page.evaluate("document.querySelector('#batch-dialog').scrollWidth <= document.querySelector('#batch-dialog').clientWidth")).toBe(true);
    await page.click("#batch-close");
    await page.click("#designs-bulk-print");
    await page.locator("#print-files-product option").nth(1).waitFor({ state: "attached" });
    await page.selectOption("#print-files-product", "poster");
    await page.click("#print-files-start");
    await page.locator("#print-files-status", { hasText: "print files made" }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}catalogue-print-files-390.png` });
    expect(await page.evaluate("document.querySelector('#print-files-dialog').scrollWidth <= document.querySelector('#print-files-dialog').clientWidth")).toBe(true);
    expect(await page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  test.skipIf(skip)("Designs tab at 390 px", async () => {
    const page = await signIn(390, 844);
    await page.click("#tab-designs");
    await page.locator("#design-grid li").first().waitFor();
    await page.locator("#design-grid li input.design-tile__select").first().click();
    await page.screenshot({ path: `${ARTIFACTS}catalogue-designs-390.png`, fullPage: true });
    expect(await page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")).toBe(false);
  });

  test.skipIf(skip)("Shop tab at 390 px", async () => {
    const page = await signIn(390, 844);
    await page.click("#tab-shop");
    await page.locator("#token-list li").first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}catalogue-shop-390.png`, fullPage: true });
    const overflow = await page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth");
    expect(overflow).toBe(false);
  });
});

/** A design made through the API from a file of test/fixtures/artwork. */
export async function designViaApi(web: WebServer, name: string, as = web.token): Promise<string> {
  const form = new FormData();
  form.append("files", new File([fixture(`artwork/${name}`)], name));
  form.append("kind", "digital");
  const res = await fetch(`${web.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${as}` } });
  const body = (await res.json()) as { created?: Array<{ id: string }> };
  const id = body.created?.[0]?.id;
  if (!id) throw new Error(`${name} was not created: ${JSON.stringify(body)}`);
  return id;
}

/** Polls an expression in the page (waitForFunction's polling is refused by the app's CSP). */
async function until(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await page.evaluate(expression)); await Bun.sleep(50)) {
    if (Date.now() > end) throw new Error(`not true in time: ${expression}`);
  }
}
