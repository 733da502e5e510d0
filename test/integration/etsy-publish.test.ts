import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import { createLogger } from "../../src/logger.ts";
import { jobContext } from "../../src/jobs/each-item.ts";
import type { JobContext } from "../../src/jobs/job-types.ts";
import { RetryableJobError } from "../../src/jobs/job-errors.ts";
import { enqueueJob } from "../../src/jobs/job-queue.repository.ts";
import { insertMockup } from "../../src/repositories/mockup.repository.ts";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { EtsyClient } from "../../src/services/etsy/etsy-client.ts";
import { EtsyConnectionService } from "../../src/services/etsy/etsy-connection.service.ts";
import { ETSY_PUBLISH_JOB, type EtsyPublishResult } from "../../src/services/etsy/etsy-publish.job.ts";
import { lazyServerSecret } from "../../src/services/etsy/server-secret.ts";
import { storagePath } from "../../src/storage/storage-path.ts";
import { FakeEtsy } from "../support/fake-etsy.ts";
import { readEvents, waitForJob } from "../support/jobs-api.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const LISTING = 1_234_567_890;
const fakes: FakeEtsy[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

/** A test app whose shop is connected to a fresh fake Etsy. */
async function connected(extra: Record<string, unknown> = {}) {
  const fake = FakeEtsy.start();
  fakes.push(fake);
  const t = await makeTestApp({ env: { ETSY_API_BASE_URL: fake.url } });
  const res = await t.request("/api/shop/etsy", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(fake.connection(extra)) });
  expect(res.status).toBe(200);
  return { t, fake };
}

/** Stores a mockup row and file directly (faster than rendering); returns its id. */
async function storeMockup(t: TestApp, image: Uint8Array, templateId = "poster-straight"): Promise<string> {
  const meta = await sharp(image).metadata();
  const id = Bun.randomUUIDv7();
  const format = meta.format === "jpeg" ? "jpeg" : (meta.format as "png" | "webp");
  const path = storagePath(t.shop.slug, "mockups", `${templateId}-${id.slice(-12)}.${format === "jpeg" ? "jpg" : format}`);
  await t.storage.put(path, image);
  await insertMockup(t.sql, {
    id,
    shopId: t.shop.id,
    designId: null,
    templateId,
    format,
    width: meta.width!,
    height: meta.height!,
    bytes: image.length,
    storageDriver: "local",
    storagePath: path,
    previewPath: path,
    renderMs: 1,
  });
  return id;
}

/** A plain JPEG of this size; `hue` tells images apart. */
const jpeg = async (width: number, height: number, hue = 0) =>
  new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: hue, g: 120, b: 200 - (hue % 200) } } }).jpeg().toBuffer());

const publish = (t: TestApp, body: unknown, listingId: number | string = LISTING) =>
  t.request(`/api/listings/${listingId}/images`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function publishAndWait(t: TestApp, body: unknown) {
  const res = await publish(t, body);
  expect(res.status).toBe(202);
  const { jobId } = (await res.json()) as { jobId: string };
  const job = await waitForJob(t, jobId);
  return { jobId, job, result: job.result as EtsyPublishResult };
}

const sha = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");

describe("publishing mockups to an Etsy listing", () => {
  let t: TestApp;
  let fake: FakeEtsy;
  let rendered: string[];
  beforeAll(async () => {
    ({ t, fake } = await connected());
    const up = (await (await t.upload([["elephants.jpg", fixture("artwork/elephants-3840.jpg")]])).json()) as UploadResult;
    const res = await t.request("/api/mockups", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ designId: up.created[0]!.id, templateIds: ["poster-straight", "living-room-angled", "gallery-wall-2up", "canvas-wood-occluded"] }),
    });
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);
    rendered = (job.result.mockups as Array<{ index: number; mockupId: string }>).sort((a, b) => a.index - b.index).map((m) => m.mockupId);
    expect(rendered).toHaveLength(4);
  });

  test("three rendered mockups go up one after another in the seller's order, ranks 1..3, their listing_image_ids recorded", async () => {
    const order = [rendered[2]!, rendered[0]!, rendered[1]!];
    const res = await publish(t, { mockupIds: order, altText: ["Gallery wall", "Poster", "Living room"] });
    expect(res.status).toBe(202);
    const { jobId, statusUrl, eventsUrl } = (await res.json()) as { jobId: string; statusUrl: string; eventsUrl: string };
    expect({ statusUrl, eventsUrl }).toEqual({ statusUrl: `/api/jobs/${jobId}`, eventsUrl: `/api/jobs/${jobId}/events` });
    const events = await readEvents(await t.request(eventsUrl));
    const job = await waitForJob(t, jobId);
    expect(job).toMatchObject({ state: "succeeded", type: ETSY_PUBLISH_JOB, attempts: 1, progress: { done: 3, total: 3 } });

    expect(fake.accepted.map((u) => u.rank)).toEqual([1, 2, 3]);
    expect(fake.accepted.map((u) => u.altText)).toEqual(["Gallery wall", "Poster", "Living room"]);
    for (const u of fake.accepted) {
      expect(u).toMatchObject({ etsyShopId: fake.etsyShopId, listingId: LISTING, overwrite: "false", accessToken: fake.accessToken });
      expect(u.image.type).toBe("image/jpeg");
    }
    expect(fake.requests.every((r) => r.apiKey === fake.keystring && r.authorization === `Bearer ${fake.accessToken}`)).toBe(true);
    // JPEG mockups within the limit are sent byte for byte, in the chosen order.
    for (const [i, id] of order.entries()) {
      const stored = new Uint8Array(await (await t.request(`/api/mockups/${id}`)).arrayBuffer());
      expect(sha(fake.accepted[i]!.image.bytes)).toBe(sha(stored));
    }
    // Uploads are sequential: each starts after the previous one was answered.
    const ids = fake.accepted.map((u) => u.listingImageId);
    const result = job.result as EtsyPublishResult;
    expect(result.images).toEqual(order.map((mockupId, index) => ({ status: "published", index, mockupId, rank: index + 1, listingImageId: ids[index]! })));
    expect(result.summary).toMatchObject({ published: 3, failed: 0, warnings: 0 });

    const published = events.filter((e) => e.event === "image-published").map((e) => e.data);
    expect(published).toEqual(order.map((mockupId, index) => ({ index, mockupId, rank: index + 1, listingImageId: ids[index]! })));
    expect(events.filter((e) => e.event === "progress").map((e) => e.data.done)).toEqual([1, 2, 3]);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { state: "succeeded", published: 3, failed: 0 } });

    const rows = await t.sql`select mockup_id, rank, listing_image_id::float8 as id from etsy_published_images where job_id = ${jobId} order by rank`;
    expect(rows.map((r) => [r.mockup_id, r.rank, r.id])).toEqual(order.map((id, i) => [id, i + 1, ids[i]]));
    const logs = JSON.stringify(t.logs);
    for (const secret of [fake.keystring, fake.accessToken, fake.refreshToken]) expect(logs).not.toContain(secret);
  });

  test("a mockup under 2000 px is sent as it is, with a warning in its event and the result", async () => {
    const before = fake.accepted.length;
    const { job, result } = await publishAndWait(t, { mockupIds: [rendered[3]!], startRank: 4, overwrite: true, altText: "Canvas" });
    expect(job.state).toBe("succeeded");
    const sent = fake.accepted.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ rank: 4, overwrite: "true", altText: "Canvas" });
    expect(await sharp(sent[0]!.image.bytes).metadata()).toMatchObject({ width: 2560, height: 1920 });
    expect(result.images[0]).toMatchObject({ status: "published", rank: 4, warnings: [{ code: "below_recommended_size" }] });
    expect(result.summary.warnings).toBe(1);
  });
});

describe("etsy-publish against a misbehaving Etsy", () => {
  test("an expired access token (401) is refreshed once, the new pair saved, and the upload sent again", async () => {
    const { t, fake } = await connected({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const ids = [await storeMockup(t, await jpeg(2000, 2500, 10)), await storeMockup(t, await jpeg(2000, 2500, 20))];
    const oldAccess = fake.accessToken;
    const oldRefresh = fake.refreshToken;
    fake.expireAccessToken();
    const { job, result } = await publishAndWait(t, { mockupIds: ids });
    expect(job.state).toBe("succeeded");
    expect(fake.refreshes).toEqual([{ clientId: fake.keystring, refreshToken: oldRefresh, at: expect.any(Number) }]);
    expect(fake.requests.map((r) => r.status)).toEqual([401, 200, 201, 201]);
    expect(fake.accepted.map((u) => u.accessToken)).toEqual([fake.accessToken, fake.accessToken]);
    expect(fake.accessToken).not.toBe(oldAccess);
    expect(result.summary.published).toBe(2);

    // Saved sealed: the row does not hold the new pair, the server opens it.
    const [row] = await t.sql`select access_token_sealed, refresh_token_sealed, token_version from etsy_connections where shop_id = ${t.shop.id}`;
    expect(Buffer.from(row!.access_token_sealed).toString("latin1")).not.toContain(fake.accessToken);
    expect(Buffer.from(row!.refresh_token_sealed).toString("latin1")).not.toContain(fake.refreshToken);
    expect(row!.token_version).toBe(2);
    const connections = new EtsyConnectionService({
      sql: t.sql,
      client: new EtsyClient({ baseUrl: fake.url }),
      secret: lazyServerSecret({ secretKey: undefined, dataDir: t.config.dataDir }),
      log: createLogger("error"),
    });
    expect(await connections.credentials(t.shop.id)).toMatchObject({ accessToken: fake.accessToken, refreshToken: fake.refreshToken });
    const view = (await (await t.request("/api/shop/etsy")).json()) as { accessTokenExpiresAt: string };
    expect(Date.parse(view.accessTokenExpiresAt)).toBeGreaterThan(Date.now() + 3_500_000);
    const logs = JSON.stringify(t.logs);
    for (const secret of [oldAccess, oldRefresh, fake.accessToken, fake.refreshToken]) expect(logs).not.toContain(secret);
  });

  test("a token past its known expiry is refreshed before anything is sent", async () => {
    const { t, fake } = await connected({ expiresAt: new Date(Date.now() - 60_000).toISOString() });
    const id = await storeMockup(t, await jpeg(2000, 2000));
    const { job } = await publishAndWait(t, { mockupIds: [id] });
    expect(job.state).toBe("succeeded");
    expect(fake.refreshes).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 201]);
  });

  test("429 with Retry-After is waited out, then the upload goes on within the same attempt", async () => {
    const { t, fake } = await connected();
    const ids = [await storeMockup(t, await jpeg(2000, 2000, 1)), await storeMockup(t, await jpeg(2000, 2000, 2))];
    fake.replies.push({ status: 429, headers: { "retry-after": "1" }, body: { error: "You have exceeded your quota of requests per second." } });
    const { job, result } = await publishAndWait(t, { mockupIds: ids });
    expect(job).toMatchObject({ state: "succeeded", attempts: 1 });
    expect(fake.requests.map((r) => r.status)).toEqual([429, 201, 201]);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(result.images.map((i) => i.rank)).toEqual([1, 2]);
  });

  test("an Etsy still down after the in-job retries retries the job, which uploads each image once", async () => {
    const { t, fake } = await connected();
    const ids = [await storeMockup(t, await jpeg(2000, 2000, 3)), await storeMockup(t, await jpeg(2000, 2000, 4)), await storeMockup(t, await jpeg(2000, 2000, 5))];
    // The first image goes up, then Etsy answers 503 to every try of the second in this attempt.
    let calls = 0;
    fake.onUpload = () => (++calls === 1 ? undefined : calls <= 5 ? { status: 503, headers: { "retry-after": "0" }, body: { error: "Service Unavailable" } } : undefined);
    const { jobId, job, result } = await publishAndWait(t, { mockupIds: ids });
    expect(job.state).toBe("succeeded");
    expect(job.attempts).toBe(2);
    expect(fake.accepted.map((u) => u.rank)).toEqual([1, 2, 3]);
    expect(new Set(fake.accepted.map((u) => sha(u.image.bytes))).size).toBe(3);
    expect(result.images.map((i) => i.status)).toEqual(["published", "published", "published"]);
    expect(result.images.map((i) => (i.status === "published" ? i.listingImageId : 0))).toEqual(fake.accepted.map((u) => u.listingImageId));
    // The log says each image was published once, and that the job was retried.
    const events = await readEvents(await t.request(`/api/jobs/${jobId}/events`));
    expect(events.filter((e) => e.event === "image-published").map((e) => e.data.index)).toEqual([0, 1, 2]);
    expect(events.find((e) => e.event === "retrying")?.data.error).toMatchObject({ code: "etsy_unavailable" });
  });

  test("an image Etsy refuses (400) fails with Etsy's message; the others go on", async () => {
    const { t, fake } = await connected();
    const ids = [await storeMockup(t, await jpeg(2000, 2000, 6)), await storeMockup(t, await jpeg(2000, 2000, 7)), await storeMockup(t, await jpeg(2000, 2000, 8))];
    fake.onUpload = (u) => (u.rank === 2 ? { status: 400, body: { error: "Image must be at least 50px by 50px." } } : undefined);
    const res = await publish(t, { mockupIds: ids });
    const { jobId } = (await res.json()) as { jobId: string };
    const events = await readEvents(await t.request(`/api/jobs/${jobId}/events`));
    const job = await waitForJob(t, jobId);
    expect(job).toMatchObject({ state: "succeeded", attempts: 1 });
    const result = job.result as EtsyPublishResult;
    expect(result.images.map((i) => i.status)).toEqual(["published", "failed", "published"]);
    expect(result.images[1]).toEqual({ status: "failed", index: 1, mockupId: ids[1]!, rank: 2, error: { code: "etsy_rejected", message: "Image must be at least 50px by 50px." } });
    expect(result.summary).toMatchObject({ published: 2, failed: 1 });
    expect(events.filter((e) => e.event.startsWith("image-")).map((e) => e.event)).toEqual(["image-published", "image-failed", "image-published"]);
    expect(events.find((e) => e.event === "image-failed")!.data).toEqual({ index: 1, mockupId: ids[1]!, rank: 2, error: { code: "etsy_rejected", message: "Image must be at least 50px by 50px." } });
    expect(fake.accepted.map((u) => u.rank)).toEqual([1, 3]);
  });

  test("running the same job again uploads nothing twice: only what the first run did not send", async () => {
    const { t, fake } = await connected();
    const ids = [await storeMockup(t, await jpeg(2000, 2000, 9)), await storeMockup(t, await jpeg(2000, 2000, 10)), await storeMockup(t, await jpeg(2000, 2000, 11))];
    const handler = t.wired.handlers[ETSY_PUBLISH_JOB];
    const payload = handler.payload.parse({ listingId: LISTING, overwrite: false, images: ids.map((mockupId, i) => ({ mockupId, rank: i + 1 })) });
    // A job row the shared runner does not take (another type), run by hand like a worker would.
    const job = await enqueueJob(t.sql, { shopId: t.shop.id, type: "etsy-publish-by-hand", payload });
    const emitted: Array<{ type: string; data: unknown }> = [];
    const run = () =>
      handler.run(
        jobContext(
          {
            job: { ...job, attempts: 1 },
            payload,
            signal: new AbortController().signal,
            log: createLogger("error"),
            progress: async () => {},
            emit: async (type: string, data?: unknown) => emitted.push({ type, data }),
          } as unknown as JobContext<never>,
          { loggedEvents: async () => emitted.map((e, i) => ({ jobId: job.id, seq: i + 1, type: e.type, data: e.data, createdAt: "" })), tally: { ok: 0, failed: 0 } },
        ),
      ) as Promise<EtsyPublishResult>;

    // First run: the third image meets an Etsy that stays down (429 without end): the run stops.
    fake.onUpload = (u) => (u.rank === 3 ? { status: 429, headers: { "retry-after": "3600" }, body: { error: "Too many requests" } } : undefined);
    await expect(run()).rejects.toBeInstanceOf(RetryableJobError);
    expect(fake.accepted.map((u) => u.rank)).toEqual([1, 2]);

    // Second run, after Etsy's hour (the shared budget held every call back until then): only
    // the third goes up; the first two are reported from the record.
    fake.onUpload = undefined;
    await t.sql`delete from etsy_rate_budget`;
    const second = await run();
    expect(fake.accepted.map((u) => u.rank)).toEqual([1, 2, 3]);
    expect(second.images.map((i) => (i.status === "published" ? i.listingImageId : 0))).toEqual(fake.accepted.map((u) => u.listingImageId));

    // Third run: nothing left to send.
    const third = await run();
    expect(fake.accepted).toHaveLength(3);
    expect(third.images).toEqual(second.images);
    const [n] = await t.sql`select count(*)::int as n from etsy_published_images where job_id = ${job.id}`;
    expect(n!.n).toBe(3);
  });

  test("a PNG mockup over 10 MB is re-encoded as a JPEG that fits, keeping 2000 px", async () => {
    const { t, fake } = await connected();
    const png = new Uint8Array(
      await sharp({ create: { width: 2400, height: 3000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } } })
        .png({ compressionLevel: 1 })
        .toBuffer(),
    );
    expect(png.length).toBeGreaterThan(10 * 1024 * 1024);
    const id = await storeMockup(t, png);
    const { job, result } = await publishAndWait(t, { mockupIds: [id] });
    expect(job.state).toBe("succeeded");
    expect(result.images[0]).toMatchObject({ status: "published" });
    const sent = fake.accepted[0]!.image;
    expect(sent.type).toBe("image/jpeg");
    expect(sent.name).toEndWith(".jpg");
    expect(sent.bytes.length).toBeLessThanOrEqual(10 * 1024 * 1024);
    const meta = await sharp(sent.bytes).metadata();
    expect(meta.format).toBe("jpeg");
    expect(Math.min(meta.width!, meta.height!)).toBeGreaterThanOrEqual(2000);
  });
});

describe("POST /api/listings/:listingId/images refuses before queueing", () => {
  test("another shop's mockup is 404, an unconnected shop 409, bad input 400; nothing is queued", async () => {
    const { t } = await connected();
    const mine = await storeMockup(t, await jpeg(2000, 2000));
    const other = await makeTestApp();
    const theirs = await storeMockup(other, await jpeg(2000, 2000));

    const notFound = await publish(t, { mockupIds: [mine, theirs] });
    expect(notFound.status).toBe(404);
    expect((await publish(t, { mockupIds: ["not-a-uuid"] })).status).toBe(404);

    // The other shop has mockups but no connection.
    const notConnected = await publish(other, { mockupIds: [theirs] });
    expect(notConnected.status).toBe(409);
    expect(((await notConnected.json()) as { error: { code: string } }).error.code).toBe("etsy_not_connected");

    for (const [body, listingId] of [
      [{ mockupIds: [] }, LISTING],
      [{ mockupIds: Array(11).fill(mine) }, LISTING],
      [{ mockupIds: [mine, mine] }, LISTING],
      [{ mockupIds: [mine], startRank: 0 }, LISTING],
      [{ mockupIds: [mine], startRank: 11 }, LISTING],
      [{ mockupIds: [mine, theirs], startRank: 10 }, LISTING],
      [{ mockupIds: [mine], altText: "x".repeat(251) }, LISTING],
      [{ mockupIds: [mine], altText: ["a", "b"] }, LISTING],
      [{ mockupIds: [mine], overwrite: "yes" }, LISTING],
      [{ mockupIds: [mine] }, "abc"],
      [{ mockupIds: [mine] }, "0"],
    ] as const) {
      const res = await publish(t, body, listingId);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
    }
    const bad = await t.request(`/api/listings/${LISTING}/images`, { method: "POST", body: "mockupIds=1" });
    expect(bad.status).toBe(400);

    for (const app of [t, other]) {
      const jobs = (await (await app.request("/api/jobs")).json()) as { items: unknown[] };
      expect(jobs.items).toEqual([]);
    }
  });
});
