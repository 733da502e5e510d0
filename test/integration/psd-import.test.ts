import { beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import { makeTestApp, type TestApp } from "../support/test-app.ts";
import { waitForJob } from "../support/jobs-api.ts";
import { buildTestPsd, meanAbsDiff, paint, testArtwork, type Corners, type Pixels, type TestPsd } from "../support/psd-builder.ts";

const W = 400, H = 300;
// A lit wall: smooth, so the flattened background is checked as well as the placement.
const wall = () => paint(W, H, (x, y) => [170 + Math.round(40 * Math.sin(x / 50)), 160 + Math.round(30 * Math.cos(y / 40)), 150, 255]);

type Template = { id: string; name: string; room: string; width: number; height: number; builtIn: boolean; warnings: string[]; placements: Array<{ id: string; corners: number[][]; blend: string; fit: string; masked: boolean }> };

describe("PSD import", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });

  const importPsd = (bytes: Uint8Array, fields: Record<string, string> = {}, fileName = "mockup.psd") => {
    const form = new FormData();
    form.append("psd", new File([bytes], fileName));
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    return t.request("/api/templates/psd", { method: "POST", body: form });
  };

  /** Renders the template with `artwork` through the mockup API, as PNG. */
  const render = async (templateId: string, artwork: Uint8Array): Promise<Uint8Array> => {
    const form = new FormData();
    form.append("artwork", new File([artwork], "art.png"));
    form.append("templateIds", templateId);
    form.append("format", "png");
    const res = await t.request("/api/mockups", { method: "POST", body: form });
    expect(res.status).toBe(202);
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);
    expect(job.state).toBe("succeeded");
    const url = job.result.mockups[0].url as string;
    return new Uint8Array(await (await t.request(url)).arrayBuffer());
  };

  const bbox = (c: Corners) => {
    const xs = c.map((p) => p[0]), ys = c.map((p) => p[1]);
    const left = Math.floor(Math.min(...xs)), top = Math.floor(Math.min(...ys));
    return { left, top, width: Math.ceil(Math.max(...xs)) - left, height: Math.ceil(Math.max(...ys)) - top };
  };

  /** Imports `spec`, renders it with each smart object's content, and returns the mean abs diff per placement. */
  const fidelity = async (spec: TestPsd, id: string) => {
    const built = buildTestPsd(spec);
    const res = await importPsd(built.bytes, { id });
    const body = (await res.json()) as Template;
    expect(res.status, JSON.stringify(body)).toBe(201);
    const image = await render(id, built.contents[0]!);
    const diffs = await Promise.all(spec.smartObjects.map((so) => meanAbsDiff(image, built.composite, bbox(so.corners))));
    const whole = await meanAbsDiff(image, built.composite, { left: 0, top: 0, width: W, height: H });
    return { body, diffs, whole };
  };

  test("a perspective smart object: 201 with the template; rendering its content reproduces the PSD's composite", async () => {
    const corners: Corners = [[92.5, 61.25], [318, 80], [305.75, 240], [80, 222]];
    const { body, diffs, whole } = await fidelity({ width: W, height: H, below: [{ name: "Wall", pixels: wall() }], smartObjects: [{ name: "Print area", corners, content: testArtwork(240, 180) }] }, "psd-perspective");
    expect(body).toMatchObject({ id: "psd-perspective", width: W, height: H, builtIn: false, room: "imported" });
    expect(body.placements).toEqual([{ id: "Print-area", corners, blend: "normal", fit: "stretch", shading: 1, masked: false } as never]);
    console.log(`psd fidelity, perspective: placement bbox ${diffs[0]!.toFixed(2)}, whole frame ${whole.toFixed(2)} levels`);
    expect(diffs[0]!).toBeLessThanOrEqual(4);
    expect(whole).toBeLessThanOrEqual(4);
  });
});
