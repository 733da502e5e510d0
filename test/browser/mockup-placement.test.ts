import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startWebServer, type WebServer } from "../support/browser.ts";
import { fixture } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;

describe("placing the artwork on the Mockups tab", () => {
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

  test.skipIf(skip)("the preview follows the fields, and the set is made with them (desktop and 390 px)", async () => {
    const form = new FormData();
    form.append("files", new File([fixture("artwork/ladybird-2560.jpg")], "ladybird.jpg"));
    form.append("kind", "digital");
    const up = (await (await fetch(`${web!.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${web!.token}` } })).json()) as { created: Array<{ id: string }> };
    const designId = up.created[0]!.id;
    for (const [width, name] of [[1280, "desktop"], [390, "390"]] as const) {
      const page = await signedInPage(browser!, web!.signInLink, { contexts, pageErrors }, { width, height: 900 });
      const previews: string[] = [];
      page.on("request", (r) => {
        if (r.url().endsWith("/api/mockups/preview")) previews.push(r.postData() ?? "");
      });
      await page.click("#tab-mockups");
      await page.locator(`#mockup-design option[value="${designId}"]`).waitFor({ state: "attached" });
      await page.selectOption("#mockup-design", designId);
      await page.locator('#template-choices input[value="tshirt-folds"]').check();
      await page.locator("#placement-preview").waitFor({ state: "visible", timeout: 20_000 });
      await page.selectOption("#placement-fit", "cover");
      await page.fill("#placement-rotate", "12");
      await page.locator("#placement-x").fill("-0.5");
      await page.waitForFunction(`document.querySelector("#placement-status")?.textContent === ""`, undefined, { timeout: 20_000 });
      await page.waitForTimeout(600); // the last preview lands
      const last = JSON.parse(previews.at(-1)!) as Record<string, unknown>;
      expect(last).toMatchObject({ designId, templateId: "tshirt-folds", fit: "cover", rotate: 12, offset: { x: -0.5, y: 0 } });
      await page.locator("#placement-fields").screenshot({ path: join(ARTIFACTS, `web-app-placement-${name}.png`) });
      if (width === 1280) {
        const sent = page.waitForRequest((r) => r.url().endsWith("/api/mockups") && r.method() === "POST");
        await page.click("#mockup-submit");
        expect(JSON.parse((await sent).postData() ?? "{}")).toMatchObject({ templateIds: ["tshirt-folds"], fit: "cover", rotate: 12 });
        await page.locator('#mockup-results[data-state="done"]').waitFor({ timeout: 30_000 });
        // Every colour: the t-shirt's five colourways and the tote, as six tiles named by colour.
        await page.locator('#template-choices input[value="tote-canvas"]').check();
        await page.locator('#template-colors fieldset[data-template="tshirt-folds"] label.swatch--all').click();
        const coloured = page.waitForRequest((r) => r.url().endsWith("/api/mockups") && r.method() === "POST");
        await page.click("#mockup-submit");
        const body = JSON.parse((await coloured).postData() ?? "{}") as { templates: Array<{ templateId: string; color?: string }> };
        // In the list's order (by name: the tote before the t-shirt).
        expect(body.templates.map((e) => `${e.templateId}:${e.color ?? ""}`)).toEqual([
          "tote-canvas:", "tshirt-folds:white", "tshirt-folds:heather grey", "tshirt-folds:black", "tshirt-folds:heather navy", "tshirt-folds:red",
        ]);
        await page.locator('#mockup-results[data-state="done"]').waitFor({ timeout: 60_000 });
        expect(await page.locator("#mockup-results li.mockup-tile--ready").count()).toBe(6);
        expect(await page.locator("#mockup-results").textContent()).toContain("Colour: heather navy");
        await page.screenshot({ path: join(ARTIFACTS, "web-app-mockups-colours.png"), fullPage: true });
      }
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
