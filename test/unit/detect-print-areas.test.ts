import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { detectPhotoPrintAreas } from "../../src/media/detect/detect-photo.ts";
import type { PrintAreaProposal } from "../../src/media/detect/detect-print-areas.ts";
import { FIXTURES } from "../support/test-app.ts";

type Corners = Array<[number, number]>;

/** The worst corner distance between a proposal and a placement, as a share of the image diagonal. */
function worstCorner(p: PrintAreaProposal, corners: Corners, width: number, height: number): number {
  return Math.max(...p.corners.map((c, i) => Math.hypot(c[0] - corners[i]![0], c[1] - corners[i]![1]))) / Math.hypot(width, height);
}

const detect = async (bytes: Uint8Array) => {
  const meta = await sharp(bytes).metadata();
  return detectPhotoPrintAreas({ bytes, width: meta.width!, height: meta.height! });
};

for (const id of ["canvas-wood-occluded", "gallery-wall-2up", "living-room-angled", "poster-straight"]) {
  test(`${id}: every placement is found with each corner within 1.5% of the diagonal`, async () => {
    const dir = join(FIXTURES, "templates", id);
    const m = JSON.parse(readFileSync(join(dir, "template.json"), "utf8")) as { width: number; height: number; placements: Array<{ corners: Corners }> };
    const proposals = await detect(new Uint8Array(readFileSync(join(dir, "background.jpg"))));
    // The template's placements are the best proposals, in some order.
    const best = proposals.slice(0, m.placements.length);
    for (const p of m.placements) {
      const errors = best.map((q) => worstCorner(q, p.corners, m.width, m.height));
      expect(Math.min(...errors)).toBeLessThan(0.015);
    }
    for (const p of proposals) {
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
    }
  });
}

test("a light panel in perspective on a busy photo is found; its corners come in manifest order", async () => {
  const quad: Corners = [[900, 420], [2150, 560], [2080, 1640], [820, 1500]];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="2000"><polygon points="${quad.map((c) => c.join(",")).join(" ")}" fill="rgb(236,234,228)"/></svg>`;
  const photo = await sharp(join(FIXTURES, "artwork", "storm-1920.jpg"))
    .resize(3000, 2000, { fit: "cover" })
    .composite([{ input: Buffer.from(svg) }])
    .blur(1.2)
    .jpeg({ quality: 85 })
    .toBuffer();
  const [best] = await detect(new Uint8Array(photo));
  expect(best).toBeDefined();
  expect(worstCorner(best!, quad, 3000, 2000)).toBeLessThan(0.015);
});

test("a photo without a print area proposes nothing confident", async () => {
  const plain = await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#8899aa" } }).jpeg().toBuffer();
  expect(await detect(new Uint8Array(plain))).toEqual([]);
  const noise = await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .jpeg()
    .toBuffer();
  expect(await detect(new Uint8Array(noise))).toEqual([]);
});

test("a switched-off screen in its bezel and a matted print in a black frame are found too", async () => {
  const cases: Array<{ base: string; shapes: string; quad: Corners }> = [
    {
      base: "storm-1920.jpg",
      shapes: `<polygon points="980,580 2120,600 2110,1270 990,1260" fill="#222"/><polygon points="1000,600 2100,620 2090,1250 1010,1240" fill="#0d1117"/>`,
      quad: [[1000, 600], [2100, 620], [2090, 1250], [1010, 1240]],
    },
    {
      base: "ladybird-2560.jpg",
      shapes: `<polygon points="860,455 1840,560 1830,1540 870,1695" fill="#111"/><polygon points="900,500 1800,600 1790,1500 910,1650" fill="#f2f0ea"/>`,
      quad: [[900, 500], [1800, 600], [1790, 1500], [910, 1650]],
    },
  ];
  for (const c of cases) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="2000">${c.shapes}</svg>`;
    const composed = await sharp(join(FIXTURES, "artwork", c.base)).resize(3000, 2000, { fit: "cover" }).composite([{ input: Buffer.from(svg) }]).png().toBuffer();
    const photo = await sharp(composed).blur(1.5).jpeg({ quality: 80 }).toBuffer();
    const [best] = await detect(new Uint8Array(photo));
    expect(worstCorner(best!, c.quad, 3000, 2000)).toBeLessThan(0.015);
  }
});

test("a print area split in two (a cord across it, a hard reflection on its glass) is found whole", async () => {
  const quad: Corners = [[900, 500], [1800, 600], [1790, 1500], [910, 1650]];
  const frame = `<polygon points="860,455 1840,560 1830,1540 870,1695" fill="#111"/><polygon points="${quad.map((c) => c.join(",")).join(" ")}" fill="#ece8e0"/>`;
  for (const across of [
    `<line x1="700" y1="300" x2="2000" y2="1800" stroke="#222" stroke-width="14"/>`,
    `<polygon points="1100,560 1300,585 1150,1590 950,1620" fill="#ffffff" fill-opacity="0.35"/>`,
  ]) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="2000">${frame}${across}</svg>`;
    const composed = await sharp(join(FIXTURES, "artwork", "ladybird-2560.jpg")).resize(3000, 2000, { fit: "cover" }).composite([{ input: Buffer.from(svg) }]).png().toBuffer();
    const [best] = await detect(new Uint8Array(await sharp(composed).blur(1.2).jpeg({ quality: 80 }).toBuffer()));
    expect(worstCorner(best!, quad, 3000, 2000)).toBeLessThan(0.015);
  }
});
