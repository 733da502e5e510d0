import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium } from "../support/browser.ts";
import { note } from "../support/test-database.ts";
import { makeTestApp } from "../support/test-app.ts";

if (browserMissing) note(browserMissing);

// The reference page as a reader sees it: styled under its own CSP, readable at 390 px.
describe.skipIf(browserMissing !== undefined)("/api/docs in a browser", () => {
  let browser: Browser;
  let server: ReturnType<typeof Bun.serve>;
  beforeAll(async () => {
    const t = await makeTestApp();
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => t.app.fetch(req) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop(true);
  });

  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    test(`at ${viewport.width} px: styled (the CSP lets its style through), no sideways scroll, nothing fetched but the page`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const blocked: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (/Content Security Policy|Refused/i.test(m.text())) blocked.push(m.text());
      });
      page.on("request", (r) => requests.push(r.url()));
      const res = await page.goto(`${server.url}api/docs`);
      expect(res?.status()).toBe(200);
      expect(blocked).toEqual([]);
      expect(requests).toEqual([`${server.url}api/docs`]);
      // The style applied: an operation's method badge is coloured.
      const badge = await page.evaluate("getComputedStyle(document.querySelector('#op-listDesigns .method')).backgroundColor");
      expect(badge).toBe("rgb(47, 125, 50)");
      const overflow = (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `api-docs-top-${viewport.width}.png`) });
      await page.locator("#op-uploadDesigns").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, `api-docs-${viewport.width}.png`) });
      await context.close();
    });
  }
});
