import { expect, test } from "bun:test";
import { renderMemoryBytes, templateLayerBytes } from "../../src/media/mockup/render-cost.ts";
import { parseTemplateManifest, type TemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { assertEachOnce, expandEntries } from "../../src/services/mockup-entries.ts";

const palette = { colorways: { mask: "m.png", colors: [{ name: "White", hex: "#ffffff" }, { name: "Navy", hex: "#223344" }] } };
const manifestOf = (id: string) => (id === "tee" ? palette : {});

test("entries expand in order: a colour as the template spells it, all colours, plain templates once", () => {
  const out = expandEntries(
    [{ templateId: "frame" }, { templateId: "tee", color: "navy", scale: 2 }, { templateId: "tee" }],
    true,
    manifestOf,
    10,
    { fit: "contain" },
  );
  expect(out.templateIds).toEqual(["frame", "tee", "tee", "tee"]);
  expect(out.colors).toEqual([null, "Navy", "White", "Navy"]);
  expect(out.placements).toEqual([{ fit: "contain" }, { fit: "contain", scale: 2 }, { fit: "contain" }, { fit: "contain" }]);
  expect(expandEntries([{ templateId: "tee" }], false, manifestOf, 10).colors).toEqual([null]);
});

test("more than the maximum after expansion, or an unknown colour, is a 400 with a code", () => {
  expect(() => expandEntries(Array(6).fill({ templateId: "tee" }), true, manifestOf, 10)).toThrow(expect.objectContaining({ code: "invalid_templates" }));
  expect(() => expandEntries([{ templateId: "tee", color: "plaid" }], false, manifestOf, 10)).toThrow(expect.objectContaining({ code: "unknown_color" }));
});

test("an entry may ask for all its template's colours by itself (a batch's templates entries)", () => {
  const out = expandEntries([{ templateId: "frame", colors: "all" }, { templateId: "tee", colors: "all" }, { templateId: "tee" }], false, manifestOf, 10);
  expect(out.templateIds).toEqual(["frame", "tee", "tee", "tee"]);
  expect(out.colors).toEqual([null, "White", "Navy", null]);
});

test("each template in each colour once: a repeat is 400 duplicate_templates, the template as photographed and in a colour are two", () => {
  expect(() => assertEachOnce(["tee", "tee", "frame"], ["Navy", null, null])).not.toThrow();
  expect(() => assertEachOnce(["tee", "tee"], ["Navy", "Navy"])).toThrow(expect.objectContaining({ code: "duplicate_templates", message: expect.stringContaining('"tee" in "Navy"') }));
  expect(() => assertEachOnce(["frame", "frame"], [null, null])).toThrow(expect.objectContaining({ code: "duplicate_templates" }));
});

test("the render estimate counts maps, overlays, the colourway mask and the warp kernel's working copy", () => {
  const base = { id: "t", name: "T", room: "r", background: "b.jpg", width: 1000, height: 800 };
  const quad = [[100, 100], [500, 100], [500, 500], [100, 500]];
  const parse = (m: unknown) => {
    const r = parseTemplateManifest(m);
    if (!r.ok) throw new Error(r.problems.join("; "));
    return r.manifest as TemplateManifest;
  };
  const plain = parse({ ...base, placements: [{ id: "p", corners: quad }] });
  const rich = parse({
    ...base,
    placements: [{ id: "p", corners: quad, warp: { type: "cylinder", curvature: 0.5 }, displacement: { map: "d.png", strength: 5 } }],
    overlays: [{ file: "o.png", blend: "multiply" }],
    colorways: { mask: "m.png", colors: [{ name: "a", hex: "#000000" }] },
  });
  const frame = 1000 * 800;
  expect(templateLayerBytes(rich) - templateLayerBytes(plain)).toBe(frame * (2 + 1 + 6));
  expect(renderMemoryBytes(rich) - renderMemoryBytes(plain)).toBeGreaterThan(frame * 8); // + the displacement map and triangles in the kernel's copy
});
