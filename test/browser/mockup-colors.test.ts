import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startWebServer, type WebServer } from "../support/browser.ts";
import { fixture } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;

const SHIRT = "tshirt-folds";

describe("colours on the Mockups tab", () => {
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  let designId = "";
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    [web, browser] = await Promise.all([startWebServer(), launchChromium()]);
    const form = new FormData();
    form.append("files", new File([fixture("artwork/ladybird-2560.jpg")], "ladybird.jpg"));
    form.append("kind", "digital");
    const res = await fetch(`${web.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${web.token}` } });
    designId = ((await res.json()) as { created: Array<{ id: string }> }).created[0]!.id;
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await web?.stop();
  });

  async function mockupsTab(width: number): Promise<{ page: Page; previews: Array<Record<string, unknown>> }> {
    const page = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors }, { width, height: 900 });
    const previews: Array<Record<string, unknown>> = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/api/mockups/preview")) previews.push(JSON.parse(r.postData() ?? "{}") as Record<string, unknown>);
    });
    await page.click("#tab-mockups");
    await page.locator(`#mockup-design option[value="${designId}"]`).waitFor({ state: "attached" });
    await page.selectOption("#mockup-design", designId);
    return { page, previews };
  }

  const swatch = (page: Page, templateId: string, color: string) => page.locator(`#template-colors fieldset[data-template="${templateId}"] label.swatch[data-color="${color}"]`);

  test.skipIf(skip)("the t-shirt in two colours: two tiles named by colour, the request and the server's mockups agree", async () => {
    const { page, previews } = await mockupsTab(1280);
    await expect(page.locator("#template-colors").isHidden()).resolves.toBe(true); // no template with colours chosen yet
    await page.locator(`#template-choices input[value="${SHIRT}"]`).check();
    const picker = page.locator(`#template-colors fieldset[data-template="${SHIRT}"]`);
    await picker.waitFor({ state: "visible" });
    // Named swatches, each its colour, in the template's order, behind "All colours".
    expect(await picker.locator("label.swatch .swatch__name").allTextContents()).toEqual(["All colours", "white", "heather grey", "black", "heather navy", "red"]);
    expect(await page.evaluate(`getComputedStyle(document.querySelector('#template-colors label.swatch[data-color="heather navy"] .swatch__chip')).backgroundColor`)).toBe("rgb(44, 62, 90)");
    expect(await page.locator("#template-count").textContent()).toBe("(1 mockup, up to 10)");

    // By keyboard: Tab from the first swatch to heather navy, Space ticks it; red by a click.
    await picker.locator("input[data-all]").focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.value")).toBe("heather navy");
    await picker.screenshot({ path: join(ARTIFACTS, "web-app-mockup-colors-focus.png") }); // the focus ring on the swatch
    await page.keyboard.press("Space");
    await swatch(page, SHIRT, "red").click();
    expect(await swatch(page, SHIRT, "heather navy").locator("input").isChecked()).toBe(true);
    expect(await page.evaluate(`document.querySelector('#template-colors fieldset[data-template="${SHIRT}"] input[data-all]').indeterminate`)).toBe(true);
    expect(await page.locator("#template-count").textContent()).toBe("(2 mockups from 1 template, up to 10)");

    // The live preview shows the colour last ticked.
    await page.locator("#placement-caption", { hasText: "Preview: T-shirt, front, folds in red" }).waitFor({ timeout: 20_000 });
    expect(previews.at(-1)).toMatchObject({ designId, templateId: SHIRT, color: "red" });
    await page.locator("#mockup-form").screenshot({ path: join(ARTIFACTS, "web-app-mockup-colors-desktop.png") });

    const sent = page.waitForRequest((r) => r.url().endsWith("/api/mockups") && r.method() === "POST");
    await page.click("#mockup-submit");
    const body = JSON.parse((await sent).postData() ?? "{}") as Record<string, unknown>;
    expect(body.templates).toEqual([{ templateId: SHIRT, color: "heather navy" }, { templateId: SHIRT, color: "red" }]);
    expect(body.templateIds).toBeUndefined();
    await page.locator('#mockup-results[data-state="done"]').waitFor({ timeout: 60_000 });
    const tiles = page.locator("#mockup-results li.mockup-tile--ready");
    expect(await tiles.count()).toBe(2);
    expect(await tiles.locator(".tile__color").allTextContents()).toEqual(["Colour: heather navy", "Colour: red"]);
    expect(await tiles.nth(1).locator("img").getAttribute("alt")).toEndWith(" on T-shirt, front, folds in red");

    // What the server made: the job's mockups, each in its colour.
    const jobId = await page.locator("#mockup-results").getAttribute("data-job-id");
    const job = (await (await fetch(`${web!.url}/api/jobs/${jobId}`, { headers: { authorization: `Bearer ${web!.token}` } })).json()) as {
      result: { mockups: Array<{ index: number; templateId: string; color?: string }> };
    };
    expect(job.result.mockups.sort((a, b) => a.index - b.index).map((m) => `${m.templateId}:${m.color}`)).toEqual([`${SHIRT}:heather navy`, `${SHIRT}:red`]);
    await page.locator("#mockup-set").screenshot({ path: join(ARTIFACTS, "web-app-mockup-colors-tiles-desktop.png") });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test.skipIf(skip)("All colours counts toward the 10 mockups, and past 10 the message says so (390 px)", async () => {
    const { page } = await mockupsTab(390);
    for (const id of ["tote-canvas", SHIRT, "mug-cylinder"]) await page.locator(`#template-choices input[value="${id}"]`).check();
    const all = (templateId: string) => page.locator(`#template-colors fieldset[data-template="${templateId}"] label.swatch--all`);
    await all(SHIRT).click();
    await all("mug-cylinder").click();
    expect(await page.locator("#template-count").textContent()).toBe("(8 mockups from 3 templates, up to 10)");
    // Two more templates make 10: the rest are disabled.
    await page.locator('#template-choices input[value="poster-straight"]').check();
    await page.locator('#template-choices input[value="living-room-angled"]').check();
    expect(await page.locator("#template-count").textContent()).toBe("(10 mockups from 5 templates: the most at once)");
    expect(await page.locator('#template-choices input[value="gallery-wall-2up"]').isDisabled()).toBe(true);
    expect(await page.locator("#mockup-limit").isHidden()).toBe(true);
    // Colours stay free: with one of the mug's colours off another template fits, and the colour back on is an eleventh.
    await swatch(page, "mug-cylinder", "black").click();
    expect(await page.locator('#template-choices input[value="gallery-wall-2up"]').isDisabled()).toBe(false);
    await page.locator('#template-choices input[value="gallery-wall-2up"]').check();
    await swatch(page, "mug-cylinder", "black").click();
    expect(await page.locator("#template-count").textContent()).toBe("(11 mockups from 6 templates, up to 10)");
    expect(await page.locator("#mockup-limit").textContent()).toBe("That is 11 mockups; at most 10 at once: untick 1 colour or template.");
    await page.locator("#mockup-limit").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "web-app-mockup-colors-390.png"), fullPage: true });
    let posted = false;
    page.on("request", (r) => {
      if (r.url().endsWith("/api/mockups") && r.method() === "POST") posted = true;
    });
    await page.click("#mockup-submit");
    await page.locator("#announcer", { hasText: "That is 11 mockups" }).waitFor({ state: "attached" });
    expect(await page.locator("#mockup-status").textContent()).toBe("");
    await swatch(page, SHIRT, "red").click();
    expect(await page.locator("#mockup-limit").isHidden()).toBe(true);
    expect(posted).toBe(false);
    // The phone layout: nothing wider than the screen.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.locator("#mockup-form").screenshot({ path: join(ARTIFACTS, "web-app-mockup-colors-form-390.png") });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
