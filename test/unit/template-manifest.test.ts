import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseTemplateManifest } from "../../src/media/mockup/template-manifest.ts";
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
      { id: "p1", corners: [[0, 0], [50, 0], [50, 50], [0, 50]], blend: "screen" },
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
