import { describe, expect, test } from "bun:test";
import sharp from "sharp";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import type { PrintFile } from "../../src/types.ts";
import { waitForJob } from "../support/jobs-api.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const SIZES = '{"poster":24,"mug":8.5}';
const json = (body: unknown, method = "PUT") => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function upload(t: TestApp, list: Array<readonly [string, Uint8Array]>, fields: Record<string, string>) {
  const res = await t.upload(list, fields);
  expect(res.status).toBe(200);
  return (await res.json()) as UploadResult;
}

const art = (w: number, h: number) =>
  sharp(fixture("artwork/ladybird-2560.jpg")).resize(w, h, { fit: "fill" }).jpeg({ quality: 90 }).toBuffer().then((b) => new Uint8Array(b));

describe("products", () => {
  test("PRINT_SIZES seeds a shop's products once; PUT replaces them; bad ones are a 400", async () => {
    const t = await makeTestApp({ env: { PRINT_SIZES: SIZES } });
    const first = (await (await t.request("/api/products")).json()) as { products: Array<Record<string, unknown>> };
    expect(first.products).toEqual([
      { name: "poster", kind: "physical", longestSideIn: 24, widthIn: null, heightIn: null, dpi: 400 },
      { name: "mug", kind: "physical", longestSideIn: 8.5, widthIn: null, heightIn: null, dpi: 400 },
    ]);
    const put = await t.request("/api/products", json({ products: [{ name: "tote", widthIn: 15, heightIn: 16, dpi: 300 }, { name: "sticker", kind: "digital", longestSideIn: 4 }] }));
    expect(put.status).toBe(200);
    const after = (await (await t.request("/api/products")).json()) as { products: Array<{ name: string }> };
    expect(after.products.map((p) => p.name)).toEqual(["tote", "sticker"]);
    const bad = await t.request("/api/products", json({ products: [{ name: "mugs" }, { name: "incoming", longestSideIn: 3 }] }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_fields");
    const twice = await t.request("/api/products", json({ products: [{ name: "a", longestSideIn: 1 }, { name: "a", longestSideIn: 2 }] }));
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe("duplicate_product");
  });
});

describe("a design, many products", () => {
  test("the same file for poster then mug with add-product: one design, two print files of the two sizes", async () => {
    const t = await makeTestApp({ env: { PRINT_SIZES: SIZES } });
    const bytes = await art(2400, 1600);
    const poster = await upload(t, [["art.jpg", bytes]], { product: "poster" });
    const design = poster.created[0]!;
    expect(design.width).toBe(24 * 400);
    // Without add-product: a duplicate with the hint.
    const hinted = await upload(t, [["art.jpg", bytes]], { product: "mug" });
    expect(hinted.duplicates[0]!.addProduct).toEqual({ designId: design.id, product: "mug", printFilesUrl: `/api/designs/${design.id}/print-files` });
    const added = await upload(t, [["art.jpg", bytes]], { product: "mug", onDuplicate: "add-product" });
    expect(added.created).toEqual([]);
    const print = added.duplicates[0]!.addedPrintFile!;
    expect(print).toMatchObject({ designId: design.id, product: "mug", width: 3400, height: 2267, dpi: 400 });
    expect(print.storagePath).toContain("/mug/");
    const got = (await (await t.request(`/api/designs/${design.id}`)).json()) as { printFiles: PrintFile[] };
    expect(got.printFiles.map((p) => [p.product, p.width])).toEqual([["poster", 9600], ["mug", 3400]]);
    // The gallery tile names the added product and what preflight said of it (2400 px over 8.5 in).
    const page = (await (await t.request("/api/designs")).json()) as { items: Array<{ otherPrints: Array<{ product: string; warnings: Array<{ code: string; effectiveDpi?: number }> }> }> };
    expect(page.items[0]!.otherPrints).toEqual([{ product: "mug", warnings: [expect.objectContaining({ code: "upscaled", effectiveDpi: 282 })] }]);
    const file = await t.request(`/api/designs/${design.id}/print-files/mug`);
    expect(file.status).toBe(200);
    expect((await sharp(new Uint8Array(await file.arrayBuffer())).metadata()).width).toBe(3400);
    // The old route serves the print file of the product it was uploaded for.
    const old = await t.request(`/api/designs/${design.id}/file`);
    expect((await sharp(new Uint8Array(await old.arrayBuffer())).metadata()).width).toBe(9600);
    // Now the design has a mug print file: a third upload for mug is a plain duplicate.
    const third = await upload(t, [["art.jpg", bytes]], { product: "mug", onDuplicate: "add-product" });
    expect(third.duplicates[0]!.addProduct).toBeUndefined();
    expect(third.duplicates[0]!.addedPrintFile).toBeUndefined();
  });

  test("async uploads carry onDuplicate: add-product through the job", async () => {
    const t = await makeTestApp({ env: { PRINT_SIZES: '{"poster":2,"mug":1}' } });
    const bytes = await art(1200, 800);
    const design = (await upload(t, [["art.jpg", bytes]], { product: "poster" })).created[0]!;
    const res = await t.upload([["art.jpg", bytes]], { product: "mug", onDuplicate: "add-product", async: "true" });
    expect(res.status).toBe(202);
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId, 60_000);
    expect(job.state).toBe("succeeded");
    expect(job.result.duplicates[0].addedPrintFile).toMatchObject({ designId: design.id, product: "mug", width: 400 });
  });

  test("POST /api/designs/:id/print-files makes one as a job; twice is 409; deleting the design hides them", async () => {
    const t = await makeTestApp({ env: { PRINT_SIZES: SIZES } });
    const design = (await upload(t, [["art.jpg", await art(3000, 2000)]], { product: "poster" })).created[0]!;
    const res = await t.request(`/api/designs/${design.id}/print-files`, json({ product: "mug" }, "POST"));
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const job = await waitForJob(t, jobId, 60_000);
    expect(job.state).toBe("succeeded");
    expect(job.result.printFile).toMatchObject({ product: "mug", width: 3400, height: 2267 });
    // Made from the 9600 px poster print, whose real detail is the 3000 px source: 3000 px / 8.5 in.
    expect(job.result.printFile.effectiveDpi).toBe(Math.round(3000 / 8.5));
    const again = await t.request(`/api/designs/${design.id}/print-files`, json({ product: "mug" }, "POST"));
    expect(again.status).toBe(409);
    expect((await t.request(`/api/designs/00000000-0000-7000-8000-000000000000/print-files`, json({ product: "mug" }, "POST"))).status).toBe(404);
    expect((await t.request(`/api/designs/${design.id}/print-files`, json({ product: "" }, "POST"))).status).toBe(400);
    expect((await t.request(`/api/designs/${design.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await t.request(`/api/designs/${design.id}/print-files/mug`)).status).toBe(404);
    const [row] = await t.sql`select count(*)::int as n from print_files where design_id = ${design.id} and deleted_at is null`;
    expect(row!.n).toBe(0);
  });
});
