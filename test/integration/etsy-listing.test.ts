import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { EtsyClient } from "../../src/services/etsy/etsy-client.ts";
import { ETSY_LISTING_JOB, type EtsyListingResult } from "../../src/services/etsy/etsy-listing.job.ts";
import { EtsyRateBudget } from "../../src/services/etsy/etsy-rate-budget.ts";
import { FakeEtsy } from "../support/fake-etsy.ts";
import { readEvents, waitForJob } from "../support/jobs-api.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const TEMPLATES = ["poster-straight", "living-room-angled", "gallery-wall-2up", "canvas-wood-occluded"];
const fakes: FakeEtsy[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

/** A test app whose shop is connected to a fresh fake Etsy (its own app keystring: its own call budget). */
async function connected(env: Record<string, string> = {}) {
  const fake = FakeEtsy.start();
  fakes.push(fake);
  const t = await makeTestApp({ env: { ETSY_API_BASE_URL: fake.url, JOB_RETRY_BASE_MS: "50", JOB_RETRY_MAX_MS: "200", ...env } });
  const res = await t.request("/api/shop/etsy", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(fake.connection()) });
  expect(res.status).toBe(200);
  return { t, fake };
}

const post = (t: TestApp, path: string, body: unknown) => t.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** A listing request a POD seller would make: a physical poster made to order. */
const listing = (designId: string, extra: Record<string, unknown> = {}) => ({
  designId,
  templates: TEMPLATES,
  title: "Elephants at dusk, wildlife poster",
  description: "A print of elephants at dusk.",
  price: 24.5,
  quantity: 20,
  tags: ["elephant", "wildlife art", "safari poster"],
  materials: ["paper", "ink"],
  whoMade: "i_did",
  whenMade: "made_to_order",
  isSupply: false,
  taxonomyId: 68,
  shippingProfileId: 201_001,
  readinessStateId: 301_001,
  ...extra,
});

async function design(t: TestApp): Promise<string> {
  const up = (await (await t.upload([["elephants.jpg", fixture("artwork/elephants-3840.jpg")]], { product: "poster" })).json()) as UploadResult;
  return up.created[0]!.id;
}

describe("creating an Etsy listing from a design", () => {
  let t: TestApp;
  let fake: FakeEtsy;
  let designId: string;
  beforeAll(async () => {
    ({ t, fake } = await connected());
    designId = await design(t);
  });

  test("one request: four mockups rendered and streamed, one draft created with Etsy's form encoding, the images uploaded in order, a link to the draft", async () => {
    const res = await post(t, "/api/listings", listing(designId));
    expect(res.status).toBe(202);
    const { jobId, eventsUrl } = (await res.json()) as { jobId: string; eventsUrl: string };
    const events = await readEvents(await t.request(eventsUrl));
    const job = await waitForJob(t, jobId);
    expect(job).toMatchObject({ state: "succeeded", type: ETSY_LISTING_JOB, attempts: 1 });
    const result = job.result as EtsyListingResult;

    expect(fake.drafts).toHaveLength(1);
    const draft = fake.drafts[0]!;
    expect(draft.form).toMatchObject({
      title: "Elephants at dusk, wildlife poster",
      price: "24.50",
      quantity: "20",
      who_made: "i_did",
      when_made: "made_to_order",
      is_supply: "false",
      taxonomy_id: "68",
      type: "physical",
      shipping_profile_id: "201001",
      readiness_state_id: "301001",
      tags: "elephant,wildlife art,safari poster",
    });
    expect(draft.tags).toEqual(["elephant", "wildlife art", "safari poster"]);
    expect(draft.materials).toEqual(["paper", "ink"]);
    expect(result).toMatchObject({ listingId: draft.listingId, url: `https://www.etsy.com/listing/${draft.listingId}`, editUrl: expect.stringContaining(String(draft.listingId)) });
    expect(result.mockups).toHaveLength(4);
    expect(fake.accepted.map((u) => [u.listingId, u.rank])).toEqual([1, 2, 3, 4].map((r) => [draft.listingId, r]));
    expect(result.images.map((i) => [i.status, i.mockupId])).toEqual(result.mockups.map((m) => ["published", m.mockupId]));

    // The mockups stream first, then the draft, then its images: one job view from design to draft.
    const kinds = events.map((e) => e.event).filter((e) => ["mockup", "listing-created", "image-published"].includes(e));
    expect(kinds).toEqual(["mockup", "mockup", "mockup", "mockup", "listing-created", "image-published", "image-published", "image-published", "image-published"]);
    expect(events.find((e) => e.event === "listing-created")!.data).toMatchObject({ listingId: draft.listingId, url: result.url });
    expect(events.at(-1)).toMatchObject({ event: "done", data: { state: "succeeded", mockups: 4, published: 4, failed: 0 } });
  });

  test("stored mockups can be given instead of templates; the draft is created once however often the job runs", async () => {
    const first = await waitForJob(t, ((await (await post(t, "/api/mockups", { designId, templateIds: TEMPLATES.slice(0, 2) })).json()) as { jobId: string }).jobId);
    const mockupIds = (first.result.mockups as Array<{ index: number; mockupId: string }>).sort((a, b) => a.index - b.index).map((m) => m.mockupId);
    const before = fake.drafts.length;
    const res = await post(t, "/api/listings", listing(designId, { templates: undefined, mockupIds }));
    expect(res.status).toBe(202);
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);
    expect(job.state).toBe("succeeded");
    expect(fake.drafts.length).toBe(before + 1);
    const r = job.result as EtsyListingResult;
    expect(r.images.map((i) => i.mockupId)).toEqual(mockupIds);
    // Run the finished job's attempt again by hand: the recorded listing is found, nothing is sent.
    const sent = fake.requests.filter((q) => q.method === "POST").length;
    await t.sql`update jobs set state = 'queued', finished_at = null, run_at = now() where id = ${job.id}`;
    const again = await waitForJob(t, job.id);
    expect(again.state).toBe("succeeded");
    expect((again.result as EtsyListingResult).listingId).toBe(r.listingId);
    expect(fake.requests.filter((q) => q.method === "POST").length).toBe(sent);
  });

  test("when Etsy makes the draft but its answer is lost, the next attempt adopts that draft instead of making a second", async () => {
    const before = fake.drafts.length;
    fake.loseNextCreateAnswer = true;
    const res = await post(t, "/api/listings", listing(designId, { title: "Elephants, lost answer edition" }));
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);
    expect(job.state).toBe("succeeded");
    expect(job.attempts).toBe(2);
    expect(fake.drafts.length).toBe(before + 1);
    expect((job.result as EtsyListingResult).listingId).toBe(fake.drafts.at(-1)!.listingId);
  });

  test("a product in colours: each photo in the colour chosen for it; an unknown colour is 400 before anything is sent", async () => {
    const sent = fake.requests.length;
    const bad = await post(t, "/api/listings", listing(designId, { templates: [{ templateId: "mug-cylinder", color: "teal" }] }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("unknown_color");
    expect(fake.requests.length).toBe(sent);
    const res = await post(t, "/api/listings", listing(designId, { title: "Elephants mug", templates: [{ templateId: "mug-cylinder", color: "black" }, { templateId: "mug-cylinder" }] }));
    expect(res.status).toBe(202);
    const { jobId, eventsUrl } = (await res.json()) as { jobId: string; eventsUrl: string };
    const events = await readEvents(await t.request(eventsUrl));
    const job = await waitForJob(t, jobId);
    expect(job.state).toBe("succeeded");
    expect((job as unknown as { title: string }).title).toBe("Etsy listing of elephants.jpg, 2 photos");
    const made = events.filter((e) => e.event === "mockup").map((e) => e.data as { index: number; color?: string });
    expect(made.sort((a, b) => a.index - b.index).map((m) => m.color)).toEqual(["black", undefined]);
    expect((job.result as EtsyListingResult).images.filter((i) => i.status === "published")).toHaveLength(2);
  });

  test("every problem is listed at once in one 400, and nothing is queued or sent to Etsy", async () => {
    const sent = fake.requests.length;
    const res = await post(t, "/api/listings", {
      designId,
      templates: TEMPLATES,
      mockupIds: [crypto.randomUUID()],
      title: "x".repeat(141),
      description: "",
      price: 0,
      tags: [...Array.from({ length: 13 }, (_, i) => `tag${i}`), "one tag too many", "a tag far longer than twenty"],
      whoMade: "i_did",
      taxonomyId: 68,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { problems: string[] } } };
    expect(body.error.code).toBe("invalid_fields");
    const text = body.error.details.problems.join("\n");
    for (const field of ["title", "description", "price", "tags", "mockupIds", "whenMade", "isSupply", "shippingProfileId", "readinessStateId"]) expect(text).toContain(field);
    expect(fake.requests.length).toBe(sent);
    // Unknown template 404, another shop's design 404, unconnected 409.
    expect((await post(t, "/api/listings", listing(designId, { templates: ["no-such-template"] }))).status).toBe(404);
    expect((await post(t, "/api/listings", listing(crypto.randomUUID()))).status).toBe(404);
  });

  test("the form's pickers: shipping and processing profiles, return policies, categories by words", async () => {
    const profiles = (await (await t.request("/api/shop/etsy/profiles")).json()) as Record<string, Array<{ id: number }>>;
    expect(profiles.shippingProfiles!.map((p) => p.id)).toEqual([201_001, 201_002]);
    expect(profiles.readinessStates![0]).toMatchObject({ id: 301_001, state: "made_to_order", minDays: 2, maxDays: 5 });
    expect(profiles.returnPolicies![0]).toMatchObject({ id: 401_001, acceptsReturns: true });
    const mugs = (await (await t.request("/api/shop/etsy/categories?q=mug")).json()) as { items: Array<{ id: number; name: string; path: string }> };
    expect(mugs.items[0]).toEqual({ id: 1070, name: "Mugs", path: "Home & Living > Kitchen & Dining > Drink & Barware > Mugs" });
    expect((await t.request("/api/shop/etsy/categories?q=x")).status).toBe(400);
  });
});

describe("Etsy's call budget", () => {
  test("two processes sharing the database never pass 10 calls per second between them", async () => {
    const { t, fake } = await connected();
    const clients = [0, 1].map(() => new EtsyClient({ baseUrl: fake.url, budget: new EtsyRateBudget({ sql: t.sql, limits: { perSecond: 10, perDay: 10_000 } }) }));
    const auth = { apiKey: fake.apiKey, accessToken: fake.accessToken };
    const started = performance.now();
    await Promise.all(Array.from({ length: 30 }, (_, i) => clients[i % 2]!.getMe(auth, AbortSignal.timeout(20_000))));
    const ms = performance.now() - started;
    expect(fake.qpsRefusals).toBe(0);
    expect(ms).toBeGreaterThan(1900); // 30 calls at 10/s need at least two second boundaries
  });

  test("when Etsy says the day is used up, the listing job waits (deferred, attempt not counted) instead of failing", async () => {
    const { t, fake } = await connected();
    const designId = await design(t);
    fake.remainingToday = 1; // this app's other installations used the rest today
    const res = await post(t, "/api/listings", listing(designId, { templates: ["poster-straight"] }));
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    let job;
    for (let i = 0; i < 200; i++) {
      job = (await (await t.request(`/api/jobs/${jobId}`)).json()) as { state: string; attempts: number; error: { code: string } | null; runAt: string };
      if (job.error?.code === "etsy_daily_limit") break;
      await Bun.sleep(50);
    }
    expect(job).toMatchObject({ state: "queued", attempts: 0, error: { code: "etsy_daily_limit" } });
    expect(Date.parse(job!.runAt) - Date.now()).toBeGreaterThan(60_000);
    expect(Date.parse(job!.runAt) - Date.now()).toBeLessThanOrEqual(2 * 3600_000);
    const events = (await t.sql`select type, data from job_events where job_id = ${jobId} and type = 'deferred'`) as Array<{ data: { until: string; error: { message: string } } }>;
    expect(events).toHaveLength(1);
    expect(events[0]!.data.error.message).toContain("daily limit");
    expect(fake.qpsRefusals).toBe(0);
    await t.request(`/api/jobs/${jobId}`, { method: "DELETE" });
  });
});
