import { expect, test } from "bun:test";
import { fixture, makeTestApp } from "../support/test-app.ts";

const form = (fields: Record<string, Blob | string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "string") f.append(k, v);
    else f.append(k, v, "photo.jpg");
  }
  return f;
};

test("POST /api/templates/detect finds the frames of a photo, best first, in the photo's pixels", async () => {
  const t = await makeTestApp();
  const res = await t.request("/api/templates/detect", { method: "POST", body: form({ photo: new Blob([fixture("templates/gallery-wall-2up/background.jpg")]) }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { width: number; height: number; proposals: Array<{ corners: number[][]; confidence: number }> };
  expect(body).toMatchObject({ width: 3200, height: 2000 });
  expect(body.proposals.length).toBeGreaterThanOrEqual(2);
  // The two frames, left first: top-left corners near (586, 398) and (1786, 398).
  expect(body.proposals[0]!.corners[0]![0]).toBeCloseTo(586, -1);
  expect(body.proposals[1]!.corners[0]![0]).toBeCloseTo(1786, -1);
  expect(body.proposals[0]!.confidence).toBeGreaterThan(0.3);
});

test("detect refuses what is not a photo with a code", async () => {
  const t = await makeTestApp();
  const missing = await t.request("/api/templates/detect", { method: "POST", body: form({ other: "x" }) });
  expect(missing.status).toBe(400);
  expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("missing_photo");
  const text = await t.request("/api/templates/detect", { method: "POST", body: form({ photo: new Blob(["not an image"]) }) });
  expect(text.status).toBe(422);
  expect(((await text.json()) as { error: { code: string } }).error.code).toBe("unsupported_format");
  const truncated = fixture("templates/poster-straight/background.jpg").slice(0, 5000);
  const cut = await t.request("/api/templates/detect", { method: "POST", body: form({ photo: new Blob([truncated]) }) });
  expect(cut.status).toBe(422);
  expect(((await cut.json()) as { error: { code: string } }).error.code).toBe("corrupt_image");
  const json = await t.request("/api/templates/detect", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
  expect(json.status).toBe(400);
  expect((await t.app.request("/api/templates/detect", { method: "POST", body: form({}) })).status).toBe(401);
});
