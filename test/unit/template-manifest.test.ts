import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_MANIFEST_PROBLEMS, MAX_PLACEMENTS, parseTemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { FIXTURES } from "../support/test-app.ts";

const dir = join(FIXTURES, "templates");

test.each(readdirSync(dir))("the fixture template %s is a valid manifest", (name) => {
  const result = parseTemplateManifest(JSON.parse(readFileSync(join(dir, name, "template.json"), "utf8")));
  expect(result.ok).toBe(true);
  if (result.ok) {
    expect(result.manifest.id).toBe(name);
    for (const p of result.manifest.placements) expect(p.fit).toBe("cover");
  }
});

test("a bad manifest lists every problem at once", () => {
  const result = parseTemplateManifest({
    id: "Bad Id",
    name: "",
    background: "../etc/passwd",
    width: 100,
    height: 100,
    placements: [
      { id: "p1", corners: [[0, 0], [50, 0], [50, 50], [0, 50]], blend: "dissolve" },
      { id: "p1", corners: [[0, 0], [50, 50], [50, 0], [0, 50]] },
      { id: "p3", corners: [[0, 0], [500, 0], [500, 50], [0, 50]], mask: ".hidden.png" },
    ],
  });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  const text = result.problems.join("\n");
  for (const expected of ["id:", "name:", "room:", "background:", "placements.0.blend", "placements.1.id", "placements.1.corners", "placements.2.corners.1", "placements.2.mask"]) {
    expect(text).toContain(expected);
  }
});

const square = (x: number, y: number, side: number) => [[x, y], [x + side, y], [x + side, y + side], [x, y + side]];
const manifest = (placements: unknown[], extra: Record<string, unknown> = {}) => ({
  id: "t", name: "T", room: "living", background: "bg.jpg", width: 1000, height: 1000, placements, ...extra,
});
const problemsOf = (input: unknown) => {
  const result = parseTemplateManifest(input);
  if (result.ok) throw new Error("expected the manifest to be refused");
  return result.problems;
};

test("too many placements is checked first and alone, even at 400,000 of them (no stack overflow)", () => {
  const placements = Array.from({ length: 400_000 }, (_, i) => ({ id: `p${i % 3}`, corners: [[0, 0]], blend: "screen" }));
  const problems = problemsOf(manifest(placements, { id: "Bad Id" }));
  expect(problems).toEqual([`placements: at most ${MAX_PLACEMENTS} placements per template (this one has 400000)`]);
});

test("the problem list is capped and says how many were left out", () => {
  // 8 placements with many bad fields each, and every top-level field wrong.
  const bad = { id: "x y", corners: [[-1, -1], [-1, -1], [-1, -1], [-1, -1]], blend: "dissolve", fit: "fill", shading: 9, mask: ".m" };
  const problems = problemsOf({ id: 1, name: 2, room: 3, background: 4, width: "w", height: "h", placements: Array(MAX_PLACEMENTS).fill(bad) });
  expect(problems).toHaveLength(MAX_MANIFEST_PROBLEMS);
  expect(problems.at(-1)).toMatch(/^…and \d+ more problems left out$/);
});

test.each([
  ["a 0.001 px quad", square(10, 10, 0.001)],
  ["a 2 px sliver", [[10, 10], [500, 10], [500, 12], [10, 12]]],
  ["collinear corners", [[10, 10], [100, 10], [200, 10], [10, 100]]],
  ["self-intersecting corners", [[10, 10], [100, 100], [100, 10], [10, 100]]],
  ["a nearly flat corner", [[10, 10], [100, 10], [190, 10.5], [10, 100]]],
])("%s is refused at upload, naming the placement", (_, corners) => {
  const problems = problemsOf(manifest([{ id: "p", corners }]));
  expect(problems).toHaveLength(1);
  expect(problems[0]).toStartWith("placements.0.corners:");
});

test("a small but real placement is accepted", () => {
  expect(parseTemplateManifest(manifest([{ id: "p", corners: square(10, 10, 4) }])).ok).toBe(true);
});

test("control characters in any text of the manifest are refused, naming the field", () => {
  const problems = problemsOf(manifest([{ id: "p", corners: square(10, 10, 100) }], { name: "a\u0000b", room: "r\u0007" }));
  expect(problems).toEqual(["name: must not contain control characters (such as NUL)", "room: must not contain control characters (such as NUL)"]);
});

test("warps, opacity, displacement, overlays and colourways are accepted; a mesh without corners takes its own", () => {
  const points = Array.from({ length: 16 }, (_, i) => [100 + (i % 4) * 100, 100 + Math.floor(i / 4) * 100]);
  const result = parseTemplateManifest(
    manifest(
      [
        { id: "m", warp: { type: "mesh", rows: 4, cols: 4, points }, blend: "soft-light", opacity: 0.9, displacement: { map: "d.png", strength: 8 } },
        { id: "c", corners: square(10, 10, 100), warp: { type: "cylinder", curvature: 0.7 }, blend: "screen" },
      ],
      { overlays: [{ file: "glare.png", blend: "screen", opacity: 0.6 }], colorways: { mask: "product.png", colors: [{ name: "navy", hex: "#2c3e5a" }] } },
    ),
  );
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.manifest.placements[0]!.corners).toEqual([[100, 100], [400, 100], [400, 400], [100, 400]]);
  expect(result.manifest.overlays![0]!.blend).toBe("screen");
});

test("bad warps, overlays and colourways are each named", () => {
  const text = problemsOf(
    manifest(
      [
        { id: "a", warp: { type: "mesh", rows: 5, cols: 4, points: [[0, 0]] } },
        { id: "b", warp: { type: "mesh", rows: 4, cols: 4, points: Array(15).fill([1, 1]) }, corners: square(10, 10, 100) },
        { id: "c", warp: { type: "cylinder", curvature: 3 }, corners: square(10, 10, 100), opacity: 2 },
        { id: "d", warp: { type: "twirl" } },
        { id: "e", displacement: { map: "../x.png", strength: -1 }, corners: square(10, 10, 100) },
      ],
      { overlays: [{ file: "o.png", blend: "dissolve", opacity: 1.5 }], colorways: { mask: "m.png", colors: [{ name: "Navy", hex: "#123" }, { name: "navy", hex: "#112233" }] } },
    ),
  ).join("\n");
  for (const expected of [
    "placements.0.warp.rows", "placements.1.warp.points: expected rows × cols = 16", "placements.2.warp.curvature", "placements.2.opacity",
    "placements.3.warp", "placements.3.corners: required", "placements.4.displacement.map", "placements.4.displacement.strength",
    "overlays.0.blend", "overlays.0.opacity", "colorways.colors.0.hex", "colorways.colors.1.name: duplicate colour",
  ]) {
    expect(text).toContain(expected);
  }
});
