import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startWebServer, type WebServer } from "../support/browser.ts";
import { FakeEtsy } from "../support/fake-etsy.ts";
import { fixture } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;
const SHARED_SECRET = "browsersharedsecret";

/** A port free right now, so PUBLIC_URL (and with it the redirect URI) can name the server before it starts. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

describe("the Shop panel and the listing picker in a real browser", () => {
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  let etsy: FakeEtsy | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    etsy = FakeEtsy.start({ sharedSecret: SHARED_SECRET });
    etsy.listings = [
      { listingId: 1001, title: "Storm over the bay — poster", state: "draft", imageIds: [7, 8] },
      { listingId: 1002, title: "Ladybird on a leaf, art print", state: "draft", imageIds: [] },
      { listingId: 1003, title: "Garden mug", state: "active", imageIds: [11] },
    ];
    const port = freePort();
    [web, browser] = await Promise.all([
      startWebServer({
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ETSY_API_BASE_URL: etsy.url,
        ETSY_CONNECT_URL: etsy.connectUrl,
        ETSY_KEYSTRING: etsy.keystring,
        ETSY_SHARED_SECRET: SHARED_SECRET,
      }),
      launchChromium(),
    ]);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await web?.stop();
    await etsy?.close();
  });

  const signIn = (width = 1280, height = 900): Promise<Page> => signedInPage(browser!, web!.signInLink, { contexts, pageErrors }, { width, height });

  test.skipIf(skip)("connects through Etsy's sign-in, says so, reconnects after a refusal, disconnects", async () => {
    const page = await signIn();
    await page.click("#tab-shop");
    await page.locator("#etsy-status", { hasText: "Not connected to Etsy." }).waitFor();

    // Connect: to the (fake) Etsy approve page, which sends the browser straight back through /etsy/callback.
    await page.click("#etsy-connect");
    await page.waitForURL((u) => u.hash === "" && u.pathname === "/", { timeout: 15_000 });
    await page.locator("#etsy-message", { hasText: "Etsy is connected." }).waitFor();
    await page.locator("#etsy-status", { hasText: `Connected as shop ${etsy!.etsyShopId} (${etsy!.shopName}) since` }).waitFor();
    expect(await page.locator("#etsy-connect").textContent()).toBe("Reconnect");
    expect(page.url()).not.toContain("etsy=");
    expect(etsy!.exchanges.filter((e) => e.status === 200)).toHaveLength(1);
    await page.screenshot({ path: join(ARTIFACTS, "shop-panel-connected.png"), fullPage: true });

    // Refused at Etsy: the reason in words; the connection made before stays.
    etsy!.denyNext();
    await page.click("#etsy-connect");
    await page.locator("#etsy-message", { hasText: "access was not allowed" }).waitFor({ timeout: 15_000 });
    await page.locator("#etsy-status", { hasText: "Connected as shop" }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "shop-panel-refused.png"), fullPage: true });

    // A callback used twice (the browser's back button): refused, said plainly.
    await page.goto(`${web!.url}/etsy/callback?state=${"A".repeat(43)}&code=x`);
    await page.locator("#etsy-message", { hasText: "already used" }).waitFor();

    page.once("dialog", (d) => void d.accept());
    await page.click("#etsy-disconnect");
    await page.locator("#etsy-status", { hasText: "Not connected to Etsy." }).waitFor();
    expect(pageErrors).toEqual([]);

    // Connected again for the next test.
    await page.click("#etsy-connect");
    await page.locator("#etsy-status", { hasText: "Connected as shop" }).waitFor({ timeout: 15_000 });
  }, 60_000);

  test.skipIf(skip)("Publish lists the shop's drafts and active listings to pick from; the picked one gets the mockup", async () => {
    const form = new FormData();
    form.append("files", new File([fixture("artwork/storm-1920.jpg")], "storm-1920.jpg"));
    form.append("kind", "digital");
    const res = await fetch(`${web!.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${web!.token}` } });
    const designId = ((await res.json()) as { created: Array<{ id: string }> }).created[0]!.id;

    const page = await signIn();
    await page.click("#tab-mockups");
    await page.locator(`#mockup-design option[value="${designId}"]`).waitFor({ state: "attached" });
    await page.selectOption("#mockup-design", designId);
    await page.locator('#template-choices input[value="poster-straight"]').check();
    await page.click("#mockup-submit");
    await page.locator('#mockup-results[data-state="done"]').waitFor({ timeout: 30_000 });

    await page.click("#mockup-publish");
    await page.locator("#publish-listings-status", { hasText: "2 drafts in your Etsy shop" }).waitFor();
    expect(await page.locator("#publish-listings li").count()).toBe(2);
    expect(await page.locator('#publish-listings li[data-listing-id="1001"]').textContent()).toContain("2 images");
    await page.screenshot({ path: join(ARTIFACTS, "publish-picker.png") });
    // On a phone the dialog and its list fit the width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, "publish-picker-390.png") });
    const dialogBox = await page.locator("#publish-dialog").boundingBox();
    expect(dialogBox!.x).toBeGreaterThanOrEqual(0);
    expect(dialogBox!.x + dialogBox!.width).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.check('input[name="listingState"][value="active"]');
    await page.locator("#publish-listings-status", { hasText: "1 active listing" }).waitFor();
    await page.check('input[name="listingState"][value="draft"]');
    await page.locator('#publish-listings li[data-listing-id="1001"]').waitFor();
    await page.locator('#publish-listings input[value="1001"]').check();
    await page.click("#publish-submit");
    await page.locator("#publish-status", { hasText: "Published 1 image to Etsy listing 1001." }).waitFor({ timeout: 30_000 });
    expect(etsy!.accepted.map((u) => u.listingId)).toEqual([1001]);
    expect(etsy!.requests.filter((r) => r.path.startsWith("/v3/")).every((r) => r.apiKey === `${etsy!.keystring}:${SHARED_SECRET}`)).toBe(true);

    // Nothing picked and nothing typed: said, nothing sent.
    await page.click("#mockup-publish");
    await page.locator("#publish-listings li").first().waitFor();
    await page.click("#publish-submit");
    await page.locator("#publish-error", { hasText: "Pick a listing, or enter its id." }).waitFor();
    await page.click("#publish-cancel");
    expect(pageErrors).toEqual([]);
  }, 90_000);

  test.skipIf(skip)("Create Etsy listing on a design: four templates, prefilled fields, pickers; the mockups appear, the draft is made, its photos go up, a link to it", async () => {
    const form = new FormData();
    form.append("files", new File([fixture("artwork/ladybird-2560.jpg")], "ladybird_on-a-leaf.jpg"));
    form.append("product", "poster");
    const res = await fetch(`${web!.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${web!.token}` } });
    const designId = ((await res.json()) as { created: Array<{ id: string }> }).created[0]!.id;

    const page = await signIn();
    await page.click("#tab-designs");
    const tile = page.locator(`#design-grid li[data-design-id="${designId}"]`);
    // The design opens large; List on Etsy is beside Make mockups.
    await tile.locator(".design-tile__open").click();
    await page.click("#design-dialog-listing");
    await page.locator("#listing-dialog[open]").waitFor();
    expect(await page.inputValue("#listing-name")).toBe("Ladybird on a leaf poster");
    expect(await page.inputValue("#listing-price")).toBe("24.00");
    expect(await page.inputValue("#listing-tags")).toContain("ladybird");
    expect(await page.locator("#listing-templates input:checked").count()).toBe(4);
    await page.locator('#listing-shipping option[value="201001"]').waitFor({ state: "attached" });
    await page.locator('#listing-category option[value="68"]').waitFor({ state: "attached" });

    // A problem is said next to its field, in words, and nothing is created.
    await page.fill("#listing-price", "0");
    await page.click("#listing-submit");
    await page.locator('[data-problem="price"]', { hasText: "at least 0.2" }).waitFor();
    await page.locator('[data-problem="shippingProfileId"]', { hasText: "shipping profile" }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "listing-form-problems.png"), fullPage: true });
    expect(etsy!.drafts).toHaveLength(0);

    await page.fill("#listing-price", "24.00");
    await page.selectOption("#listing-shipping", "201001");
    await page.selectOption("#listing-readiness", "301001");
    await page.fill("#listing-category-search", "posters");
    await page.locator('#listing-category option[value="68"]').waitFor({ state: "attached" });
    await page.selectOption("#listing-category", "68");
    await page.screenshot({ path: join(ARTIFACTS, "listing-form.png"), fullPage: true });
    await page.click("#listing-submit");
    await page.locator("#listing-progress").waitFor();
    await page.locator("#listing-link", { hasText: "Open the draft on Etsy" }).waitFor({ timeout: 60_000 });
    expect(await page.locator("#listing-mockups .mockup-tile--ready").count()).toBe(4);
    await page.locator("#listing-done", { hasText: "a draft listing with 4 photos" }).waitFor();
    const draft = etsy!.drafts.at(-1)!;
    expect(draft.form).toMatchObject({ title: "Ladybird on a leaf poster", price: "24.00", taxonomy_id: "68", shipping_profile_id: "201001", readiness_state_id: "301001" });
    expect(await page.getAttribute("#listing-link", "href")).toContain(String(draft.listingId));
    expect(etsy!.accepted.filter((u) => u.listingId === draft.listingId).map((u) => u.rank)).toEqual([1, 2, 3, 4]);
    await page.screenshot({ path: join(ARTIFACTS, "listing-created.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, "listing-created-390.png") });
    const box = await page.locator("#listing-dialog").boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test.skipIf(skip)("at 390 px the Shop panel fits the screen", async () => {
    const page = await signIn(390, 844);
    await page.click("#tab-shop");
    await page.locator("#etsy-status", { hasText: "Connected as shop" }).waitFor();
    const overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect(overflow).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "shop-panel-390.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
