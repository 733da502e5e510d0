import { expect, test } from "bun:test";
import { parseTemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { placeServerProblems } from "../../src/web/client/server-problems.ts";

test("the server's manifest problems become plain sentences next to what they concern", () => {
  const parsed = parseTemplateManifest({
    name: "",
    room: "x",
    background: "b.jpg",
    width: 100,
    height: 100,
    placements: [
      { id: "p1", corners: [[0, 0], [10, 10], [20, 0], [0, 20]] },
      { id: "bad id", corners: [[0, 0], [50, 0], [50, 150], [0, 50]] },
    ],
  });
  expect(parsed.ok).toBe(false);
  const placed = placeServerProblems(parsed.ok ? [] : parsed.problems);
  expect(placed).toContainEqual({ target: "id", text: "The id is missing." });
  expect(placed).toContainEqual({ target: "name", text: "The name is empty." });
  expect(placed.find((p) => p.target === 0)?.text).toMatch(/^Corners must form a convex quadrilateral/);
  expect(placed).toContainEqual({ target: 1, text: "The id may only use letters, digits, - and _." });
  expect(placed).toContainEqual({ target: 1, text: "Corner (50, 150) lies outside the 100×100 background." });
  for (const p of placed) expect(p.text).not.toMatch(/Invalid input|expected string|received undefined/);
});
