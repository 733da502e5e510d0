import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, browserMissing, launchChromium, signedInPage, startCuttableProxy, startWebServer, type WebServer } from "../support/browser.ts";
import { FakeEtsy } from "../support/fake-etsy.ts";
import { FIXTURES, fixture } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

if (browserMissing) note(browserMissing);
const skip = browserMissing !== undefined;

/** Runs in the page before its scripts: notes when the first mockup image shows and when the set is done. */
const RECORD_MOCKUP_TIMES = `
  window.__times = { firstMockupImage: undefined, done: undefined };
  document.addEventListener("load", (e) => {
    const img = e.target;
    if (img instanceof HTMLImageElement && img.closest("#mockup-results") && img.src.startsWith("blob:")
        && img.checkVisibility() && window.__times.firstMockupImage === undefined) {
      window.__times.firstMockupImage = performance.now();
    }
  }, true);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.id === "mockup-results" && r.target.getAttribute("data-state") === "done" && window.__times.done === undefined) {
        window.__times.done = performance.now();
      }
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
`;

/** True once every mockup tile shows a decoded image. */
const allMockupImagesShown = (n: number) => `(() => {
  const imgs = [...document.querySelectorAll("#mockup-results li.mockup-tile--ready img")];
  return imgs.length === ${n} && imgs.every((i) => i.complete && i.naturalWidth > 0 && i.checkVisibility());
})()`;

const TEMPLATES = ["canvas-wood-occluded", "gallery-wall-2up", "living-room-angled", "poster-straight"];

describe("the web app in a real browser", () => {
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  let etsy: FakeEtsy | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    etsy = FakeEtsy.start();
    [web, browser] = await Promise.all([startWebServer({ ETSY_API_BASE_URL: etsy.url, PRINT_SIZES: '{"poster":4}' }), launchChromium()]);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await web?.stop();
    await etsy?.close();
  });

  /** A fresh browser context (no storage), signed in through the first-start link (or `link`). */
  const signIn = (link = web!.signInLink): Promise<Page> => signedInPage(browser!, link, { contexts, pageErrors });

  /** A design made through the API from a file of test/fixtures/artwork, for the mockup tests. */
  async function designViaApi(name: string): Promise<string> {
    const form = new FormData();
    form.append("files", new File([fixture(`artwork/${name}`)], name));
    form.append("kind", "digital");
    const res = await fetch(`${web!.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${web!.token}` } });
    const body = (await res.json()) as { created?: Array<{ id: string }> };
    const id = body.created?.[0]?.id;
    if (!id) throw new Error(`${name} was not created: ${JSON.stringify(body)}`);
    return id;
  }

  /** On the Mockups tab: the design, the four built-in templates (or `templates`), go. */
  async function startMockups(page: Page, designId: string, templates: string[] = TEMPLATES): Promise<void> {
    await page.click("#tab-mockups");
    await page.locator(`#mockup-design option[value="${designId}"]`).waitFor({ state: "attached" });
    await page.selectOption("#mockup-design", designId);
    for (const id of templates) await page.locator(`#template-choices input[value="${id}"]`).check();
    await page.click("#mockup-submit");
  }

  /**
   * Ten templates (the four built-in ones and shop copies of the poster), so a mockup set lasts
   * long enough after its first image for a reload or a cut to land while it still runs.
   */
  let tenTemplates: string[] | undefined;
  async function tenTemplateIds(): Promise<string[]> {
    if (tenTemplates) return tenTemplates;
    const manifest = JSON.parse(readFileSync(join(FIXTURES, "templates/poster-straight/template.json"), "utf8")) as Record<string, unknown>;
    const copies: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const id = `poster-copy-${i}`;
      const form = new FormData();
      form.append("manifest", JSON.stringify({ ...manifest, id, name: `Poster copy ${i}` }));
      form.append("background", new File([fixture("templates/poster-straight/background.jpg")], "background.jpg"));
      const res = await fetch(`${web!.url}/api/templates`, { method: "POST", body: form, headers: { authorization: `Bearer ${web!.token}` } });
      if (res.status !== 201) throw new Error(`template ${id}: ${res.status} ${await res.text()}`);
      copies.push(id);
    }
    tenTemplates = [...TEMPLATES, ...copies];
    return tenTemplates;
  }

  test.skipIf(skip)("signs in from the first-start link, uploads, shows created, duplicate and refused files", async () => {
    const page = await signIn();
    // The token went to storage and left the address at once.
    expect(page.url()).toBe(`${new URL(web!.signInLink).origin}/`);
    expect(await page.evaluate("localStorage.getItem('atelier.token')")).toBe(web!.token);

    const eventStreams: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/events")) eventStreams.push(r.url());
    });

    // Four files: more than a few, so they go as a job followed through its events.
    await page.check('input[name="kind"][value="digital"]');
    await page.locator('#upload-product option[value="poster"]').waitFor({ state: "attached" });
    await page.selectOption("#upload-product", "poster");
    await page.setInputFiles("#upload-files", [
      join(FIXTURES, "duplicates/garden-original.jpg"),
      join(FIXTURES, "artwork/storm-1920.jpg"),
      join(FIXTURES, "artwork/ladybird-2560.jpg"),
      join(FIXTURES, "duplicates/garden-brighter.jpg"),
    ]);
    await page.click("#upload-submit");
    await page.locator("#upload-results li").nth(3).waitFor();
    expect(await page.locator('#upload-results li[data-outcome="created"]').count()).toBe(3);
    const batchDuplicate = page.locator('#upload-results li[data-outcome="duplicate"]');
    expect(await batchDuplicate.count()).toBe(1);
    expect(await batchDuplicate.textContent()).toContain("garden-brighter.jpg");
    expect(await batchDuplicate.textContent()).toContain("garden-original.jpg");
    expect(eventStreams.some((u) => /\/api\/jobs\/[^/]+\/events/.test(u))).toBe(true);
    const original = await page.locator('#upload-results li[data-outcome="created"]', { hasText: "garden-original.jpg" }).getAttribute("data-design-id");
    expect(original).toBeTruthy();
    // Each created row shows the design's thumbnail.
    for (const img of await page.locator('#upload-results li[data-outcome="created"] img').all()) {
      expect(await img.getAttribute("data-src")).toMatch(/^\/api\/designs\/[^/]+\/thumbnail$/);
    }

    // Again, with bad files: the near duplicate now matches the stored design and shows it.
    await page.setInputFiles("#upload-files", [
      join(FIXTURES, "duplicates/garden-brighter.jpg"),
      join(FIXTURES, "bad/truncated.jpg"),
      join(FIXTURES, "bad/zero-bytes.jpg"),
    ]);
    await page.click("#upload-submit");
    await page.locator('#upload-results li[data-outcome="rejected"]').nth(1).waitFor();
    const duplicate = page.locator('#upload-results li[data-outcome="duplicate"]');
    expect(await duplicate.getAttribute("data-duplicate-of")).toBe(original);
    expect(await duplicate.locator("img").getAttribute("data-src")).toBe(`/api/designs/${original}/thumbnail`);
    expect(await duplicate.textContent()).toMatch(/Same image as garden-original\.jpg, uploaded \d+ \w{3}/);
    const truncated = page.locator('#upload-results li[data-outcome="rejected"]', { hasText: "truncated.jpg" });
    expect(await truncated.textContent()).toContain("damaged or cut off");
    const empty = page.locator('#upload-results li[data-outcome="rejected"]', { hasText: "zero-bytes.jpg" });
    expect(await empty.textContent()).toContain("The file is empty");

    // The gallery lists the three designs.
    await page.click("#tab-designs");
    await page.locator("#design-grid li").nth(2).waitFor();
    expect(await page.locator("#design-grid li").count()).toBe(3);
    expect(page.url()).not.toContain("token");

    // Signing out forgets the token.
    await page.click("#sign-out");
    await page.locator("#sign-in").waitFor({ state: "visible" });
    expect(await page.evaluate("localStorage.getItem('atelier.token')")).toBeNull();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  test.skipIf(skip)("shows each mockup as it arrives, before the set is done", async () => {
    const designId = await designViaApi("twowings-2560.jpg");
    const page = await signIn();
    await page.addInitScript(RECORD_MOCKUP_TIMES);
    await page.reload(); // the recorder is in place from the page's start
    await page.locator("#workspace").waitFor({ state: "visible" });
    await startMockups(page, designId);

    await page.locator('#mockup-results[data-state="done"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(allMockupImagesShown(4), undefined, { timeout: 10_000 });
    const times = (await page.evaluate("window.__times")) as { firstMockupImage?: number; done?: number };
    expect(times.firstMockupImage).toBeNumber();
    expect(times.done).toBeNumber();
    expect(times.firstMockupImage!).toBeLessThan(times.done!);
    expect(await page.locator("#mockup-results li.mockup-tile--failed").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "web-app-mockups.png"), fullPage: true });

    // "Download all" is one ZIP holding the four images.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mockup-download-all")]);
    const zipPath = join(ARTIFACTS, "web-app-mockups.zip");
    await download.saveAs(zipPath);
    const zip = readFileSync(zipPath);
    const endOfDirectory = zip.subarray(zip.length - 22);
    expect(endOfDirectory.readUInt32LE(0)).toBe(0x06054b50);
    expect(endOfDirectory.readUInt16LE(10)).toBe(4);

    // Publishing needs Etsy connected first, which this shop is not yet.
    await page.click("#mockup-publish");
    await page.fill("#publish-listing", "1234567890");
    await page.click("#publish-submit");
    await page.locator("#publish-error", { hasText: "not connected to Etsy" }).waitFor();
    // Once connected (to a local fake of Etsy's API), the four mockups go onto the listing as a job.
    const connect = await fetch(`${web!.url}/api/shop/etsy`, {
      method: "PUT",
      headers: { authorization: `Bearer ${web!.token}`, "content-type": "application/json" },
      body: JSON.stringify(etsy!.connection()),
    });
    expect(connect.status).toBe(200);
    await page.click("#publish-submit");
    await page.locator("#publish-status", { hasText: "Published 4 images to Etsy listing 1234567890." }).waitFor({ timeout: 30_000 });
    expect(etsy!.accepted.map((u) => [u.listingId, u.rank])).toEqual([1, 2, 3, 4].map((rank) => [1234567890, rank]));
    expect(pageErrors).toEqual([]);
  }, 60_000);

  test.skipIf(skip)("a reload during a mockup job picks the job up again and ends with every image", async () => {
    const designId = await designViaApi("autumn-2560.webp");
    const templates = await tenTemplateIds(); // before the page lists the templates
    const page = await signIn();
    const resumed: Array<string | undefined> = [];
    page.on("request", (r) => {
      if (/\/api\/jobs\/[^/]+\/events/.test(r.url())) resumed.push(r.headers()["last-event-id"]);
    });
    await startMockups(page, designId, templates);

    // Reload as soon as the first mockup is on screen, while the others are still rendering.
    await page.locator("#mockup-results li.mockup-tile--ready").first().waitFor();
    const before = await page.evaluate(`({
      state: document.querySelector("#mockup-results").dataset.state,
      ready: document.querySelectorAll("#mockup-results li.mockup-tile--ready").length,
    })`) as { state: string; ready: number };
    await page.reload();

    await page.locator('#mockup-results[data-state="done"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(allMockupImagesShown(10), undefined, { timeout: 10_000 });
    expect(before.state).toBe("running");
    expect(before.ready).toBeLessThan(10);
    // The reloaded page asked for what followed the last event it had seen.
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0]).toMatch(/^\d+$/);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  test.skipIf(skip)("a connection dropped during a mockup job is resumed where it broke off", async () => {
    const designId = await designViaApi("elephants-3840.jpg");
    const templates = await tenTemplateIds(); // before the page lists the templates
    const proxy = startCuttableProxy(Number(new URL(web!.url).port));
    try {
      const page = await signIn(`${proxy.url}/#token=${web!.token}`);
      const resumed: Array<string | undefined> = [];
      page.on("request", (r) => {
        if (/\/api\/jobs\/[^/]+\/events/.test(r.url())) resumed.push(r.headers()["last-event-id"]);
      });
      await startMockups(page, designId, templates);
      await page.locator("#mockup-results li.mockup-tile--ready").first().waitFor();
      const state = await page.locator("#mockup-results").getAttribute("data-state");
      proxy.cut(); // the event stream (and anything else in flight) breaks off

      await page.locator('#mockup-results[data-state="done"]').waitFor({ timeout: 30_000 });
      await page.waitForFunction(allMockupImagesShown(10), undefined, { timeout: 10_000 });
      expect(state).toBe("running");
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed[0]).toMatch(/^\d+$/);
      expect(pageErrors).toEqual([]);
    } finally {
      proxy.close();
    }
  }, 60_000);
});
