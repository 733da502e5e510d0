import { beforeAll, describe, expect, test } from "bun:test";
import { apiDocument } from "../../src/http/api-reference.routes.ts";
import { buildTestPsd, paint, testArtwork, type Corners, type TestPsd, type TestSmartObject } from "../support/psd-builder.ts";
import { badFixtures, makeTestApp, type TestApp } from "../support/test-app.ts";

/**
 * Handmade damaged and hostile PSDs: written with ag-psd's writer (test/support/psd-builder.ts),
 * then damaged. psd-import.test.ts has the first refusals (a file cut in half or to 40 bytes, a
 * wrong signature or version, a 30000×30000 PSD header, CMYK and 16-bit PSDs, the layer limit at
 * 1, test/fixtures/bad) and psd-fuzz.test.ts flipped bytes; these are the rest.
 */

const W = 400;
const H = 300;
const FRAME: Corners = [[100, 50], [300, 60], [300, 250], [100, 240]];
const wall = () => paint(W, H, (x, y) => [170 + (x % 30), 160, 140 + (y % 20), 255]);
const ARC = { style: "arc" as const, value: 30, perspective: 0, perspectiveOther: 0, rotate: "horizontal" as const };

/** A document with one smart object; `reference: false` skips drawing it (its corners may be anything). */
const psd = (so: Partial<TestSmartObject> = {}, doc: Partial<TestPsd> = {}) =>
  buildTestPsd({ width: W, height: H, reference: false, below: [{ name: "Wall", pixels: wall() }], smartObjects: [{ name: "Frame", corners: FRAME, content: testArtwork(200, 150), ...so }], ...doc }).bytes;

const patched = (bytes: Uint8Array, edit: (v: DataView) => void) => {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
};

/** Where the layer-and-mask section starts (its length field) and how long it says it is, in a PSD. */
function layerSection(bytes: Uint8Array): { at: number; length: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 26;
  at += 4 + v.getUint32(at); // colour-mode data
  at += 4 + v.getUint32(at); // image resources
  return { at, length: v.getUint32(at) };
}

const documented = (apiDocument() as Record<string, any>).paths["/api/templates/psd"].post.responses;
const codesFor = (status: number): string[] => documented[String(status)]?.content?.["application/json"]?.schema?.properties?.error?.properties?.code?.enum ?? [];

interface Expect {
  name: string;
  bytes: Uint8Array;
  status: number;
  code: string;
  says?: RegExp;
}

describe("bad PSDs: a 4xx with a code and a message that names the problem, never a 5xx", () => {
  let t: TestApp;
  let tries = 0;
  /** Ids of the imports that were accepted. */
  const created: string[] = [];
  const send = async (bytes: Uint8Array, name = "mockup.psd") => {
    const form = new FormData();
    const id = `bad-psd-${++tries}`;
    form.append("psd", new File([bytes], name));
    form.append("id", id);
    const res = await t.request("/api/templates/psd", { method: "POST", body: form });
    if (res.status === 201) created.push(id);
    return res;
  };
  const check = async (cases: Expect[]) => {
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await send(c.bytes);
      const body = (await res.json()) as { error?: { code: string; message: string; details?: unknown } };
      const said = `${body.error?.message ?? ""} ${JSON.stringify(body.error?.details ?? "")}`;
      if (res.status !== c.status || body.error?.code !== c.code) wrong.push(`${c.name}: answered ${res.status} ${body.error?.code ?? "(created)"}, expected ${c.status} ${c.code}: ${said.slice(0, 240)}`);
      else if (c.says && !c.says.test(said)) wrong.push(`${c.name}: the message does not say ${c.says}: ${said.slice(0, 300)}`);
      else if (!codesFor(c.status).includes(c.code)) wrong.push(`${c.name}: ${c.code} is not documented for ${c.status}`);
    }
    expect(wrong).toEqual([]);
  };

  beforeAll(async () => {
    t = await makeTestApp();
  });

  test("headers: a PSB of 300000×300000, PSB and PSD in other modes and depths", async () => {
    const psb = psd({}, { psb: true });
    const good = psd();
    const modes: Array<[number, RegExp]> = [[0, /bitmap/], [1, /greyscale/], [2, /indexed/], [9, /Lab/]];
    await check([
      { name: "PSB 300000×300000", bytes: patched(psb, (v) => (v.setUint32(14, 300_000), v.setUint32(18, 300_000))), status: 422, code: "psd_too_large", says: /300000×300000/ },
      { name: "PSB 1×300000", bytes: patched(psb, (v) => (v.setUint32(14, 1), v.setUint32(18, 300_000))), status: 422, code: "psd_too_large" },
      { name: "PSB, 16 bits", bytes: patched(psb, (v) => v.setUint16(22, 16)), status: 422, code: "unsupported_psd", says: /16 bits/ },
      { name: "PSB, CMYK", bytes: patched(psb, (v) => v.setUint16(24, 4)), status: 422, code: "unsupported_psd", says: /CMYK/ },
      { name: "PSD, 32 bits", bytes: patched(good, (v) => v.setUint16(22, 32)), status: 422, code: "unsupported_psd", says: /32 bits/ },
      { name: "PSD, 1 bit", bytes: patched(good, (v) => v.setUint16(22, 1)), status: 422, code: "unsupported_psd", says: /1 bits/ },
      ...modes.map(([mode, says]) => ({ name: `PSD, colour mode ${mode}`, bytes: patched(good, (v) => v.setUint16(24, mode)), status: 422, code: "unsupported_psd", says })),
      { name: "PSD, 0×300", bytes: patched(good, (v) => v.setUint32(18, 0)), status: 422, code: "corrupt_psd", says: /0×300/ },
    ]);
  });

  test("truncated inside the layer section, a section longer than the file, a PSD marked PSB", async () => {
    const good = psd();
    const { at, length } = layerSection(good);
    const cuts = [at + 4, at + 6, at + 8, at + 10, at + 40, at + 200, at + Math.floor(length / 2), at + 4 + length - 10];
    await check([
      ...cuts.map((cut) => ({ name: `cut at byte ${cut} of ${good.length}`, bytes: good.slice(0, cut), status: 422, code: "corrupt_psd", says: /truncated/ })),
      { name: "layer section 2 GB long", bytes: patched(good, (v) => v.setUint32(at, 0x7fff_ffff)), status: 422, code: "corrupt_psd", says: /longer than the file/ },
      { name: "layer info 2 GB long", bytes: patched(good, (v) => v.setUint32(at + 4, 0x7fff_fff0)), status: 422, code: "corrupt_psd" },
      { name: "a PSD marked as a PSB", bytes: patched(good, (v) => v.setUint16(4, 2)), status: 422, code: "corrupt_psd", says: /longer than the file/ },
    ]);
    // A PSB marked as a PSD reads its 8-byte lengths as 4-byte ones: whatever it finds, a refusal.
    const res = await send(patched(psd({}, { psb: true }), (v) => v.setUint16(4, 1)));
    expect(res.status).toBe(422);
    expect(codesFor(422)).toContain(((await res.json()) as { error: { code: string } }).error.code);
  });

  test("a thousand layers against the default limit of 200: refused from the header", async () => {
    const many = psd({}, { below: Array.from({ length: 1000 }, (_, i) => ({ name: `Speck ${i}`, pixels: paint(2, 2, () => [i % 256, 90, 60, 255]), left: i % 390, top: (i * 7) % 290 })) });
    const started = performance.now();
    await check([{ name: "1000 layers", bytes: many, status: 422, code: "too_many_layers", says: /1001 layers.*at most 200/ }]);
    expect(performance.now() - started).toBeLessThan(2000); // nothing decoded
  });

  test("placed layers with NaN, missing, collapsed, flat, overflowing or far-away transforms", async () => {
    const started = performance.now();
    await check([
      { name: "a NaN corner", bytes: psd({ rawTransform: [Number.NaN, 50, 300, 60, 300, 250, 100, 240] }), status: 422, code: "corrupt_psd", says: /"Frame" has no usable transform/ },
      { name: "a transform of 4 numbers", bytes: psd({ rawTransform: [100, 50, 300, 60] }), status: 422, code: "corrupt_psd", says: /"Frame" has no usable transform/ },
      { name: "an empty transform", bytes: psd({ rawTransform: [] }), status: 422, code: "corrupt_psd", says: /no usable transform/ },
      { name: "collapsed to a point", bytes: psd({ corners: [[150, 150], [150, 150], [150, 150], [150, 150]] }), status: 422, code: "unsupported_psd", says: /smart object "Frame": corners must form a convex/ },
      { name: "flattened to a line", bytes: psd({ corners: [[100, 100], [200, 100], [300, 100], [150, 100]] }), status: 422, code: "unsupported_psd", says: /smart object "Frame"/ },
      // Were 500s: off the canvas, the quad is turned into a mesh, which a degenerate quad cannot be.
      { name: "collapsed to a point off the canvas", bytes: psd({ corners: [[-10, -10], [-10, -10], [-10, -10], [-10, -10]] }), status: 422, code: "unsupported_psd", says: /smart object "Frame": corner \(-10, -10\) lies outside/ },
      { name: "a line off the canvas", bytes: psd({ corners: [[-10, 10], [100, 10], [500, 10], [50, 10]] }), status: 422, code: "unsupported_psd", says: /smart object "Frame"/ },
      { name: "corners at ±1e300", bytes: psd({ corners: [[-1e300, -1e300], [1e300, -1e300], [1e300, 1e300], [-1e300, 1e300]] }), status: 422, code: "unsupported_psd", says: /smart object "Frame": corner \(-1e\+300, -1e\+300\) lies outside/ },
      // The preview once resized the sample to the quad's size here: 55 GB asked of libvips.
      { name: "corners at ±50000", bytes: psd({ corners: [[-50_000, -50_000], [50_000, -50_000], [50_000, 50_000], [-50_000, 50_000]] }), status: 422, code: "unsupported_psd", says: /smart object "Frame": lies more than a background's size outside/ },
      { name: "a 10-million-px sliver", bytes: psd({ corners: [[-5e6, 100], [5e6, 100], [5e6, 200], [-5e6, 200]] }), status: 422, code: "unsupported_psd", says: /smart object "Frame"/ },
      { name: "an arc warp on a collapsed transform", bytes: psd({ corners: [[50, 50], [50, 50], [50, 50], [50, 50]], warp: ARC }), status: 422, code: "unsupported_psd", says: /smart object "Frame": corners must form a convex/ },
      { name: "an arc warp at ±1e300", bytes: psd({ corners: [[-1e300, -1e300], [1e300, -1e300], [1e300, 1e300], [-1e300, 1e300]], warp: ARC }), status: 422, code: "unsupported_psd", says: /smart object "Frame"/ },
      { name: "an 8×8 document", bytes: buildTestPsd({ width: 8, height: 8, reference: false, below: [{ name: "Wall", pixels: paint(8, 8, () => [1, 2, 3, 255]) }], smartObjects: [{ name: "F", corners: [[1, 1], [7, 1], [7, 7], [1, 7]], content: testArtwork(6, 6) }] }).bytes, status: 422, code: "unsupported_psd", says: /width: .*16/ },
    ]);
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);

  test("zero-size and damaged smart-object content: refused, or imported without it, never a 5xx", async () => {
    await check([
      { name: "0×0 content", bytes: psd({ content: paint(0, 0, () => [0, 0, 0, 0]) }), status: 422, code: "corrupt_psd" },
      { name: "a 20000×20000 PNG as content", bytes: psd({ contentBytes: badFixtures().find(([n]) => n.startsWith("pixel-bomb"))![1] }), status: 422, code: "psd_too_large", says: /content is 20000×20000/ },
    ]);
    const outcomes: string[] = [];
    for (const [name, bytes] of badFixtures()) {
      const res = await send(psd({ contentBytes: bytes }));
      const body = (await res.json()) as { error?: { code: string }; warnings?: string[] };
      outcomes.push(`${name} → ${res.status} ${body.error?.code ?? "created"}`);
      // The content is only the sample artwork: a damaged one may be refused or left out, not crash the import.
      expect(res.status === 201 || (res.status === 422 && codesFor(422).includes(body.error!.code)), `${name}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`).toBe(true);
    }
    console.log(`bad smart-object content: ${outcomes.join(", ")}`);
  });

  test("after all of these the import worker still imports, and no refused document left a template", async () => {
    expect((await send(psd())).status).toBe(201);
    const { items } = (await (await t.request("/api/templates")).json()) as { items: Array<{ id: string; builtIn: boolean }> };
    expect(items.filter((i) => !i.builtIn).map((i) => i.id).sort()).toEqual([...created].sort());
    const [rows] = await t.sql`SELECT count(*)::int AS n FROM shop_templates WHERE shop_id = ${t.shop.id}`;
    expect(rows!.n).toBe(created.length);
    expect((await t.app.request("/healthz")).status).toBe(200);
  });
});
