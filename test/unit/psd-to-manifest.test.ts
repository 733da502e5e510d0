import { describe, expect, test } from "bun:test";
import { parseTemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import type { ImportedPsd } from "../../src/media/psd/imported-psd.ts";
import { headerProblem, readPsdHeader } from "../../src/media/psd/psd-header.ts";
import { MANIFEST_CAN, psdToTemplateUpload } from "../../src/media/psd/psd-to-manifest.ts";
import { AppError } from "../../src/errors.ts";

const bytes = (n: number) => new Uint8Array(n);
const imported = (over: Partial<ImportedPsd> = {}): ImportedPsd => ({
  width: 400,
  height: 300,
  background: "background.png",
  placements: [
    { layer: "Print area", corners: [[10, 10], [200, 12.3456], [190, 200], [12, 190]], blend: "multiply", opacity: 1, mask: "mask-1.png" },
    { layer: "Print area", corners: [[210, 10], [390, 10], [390, 200], [210, 200]], blend: "normal", opacity: 1 },
  ],
  overlays: [],
  sample: "sample.png",
  files: { "background.png": bytes(1), "mask-1.png": bytes(2), "sample.png": bytes(3), "overlay-1.png": bytes(4) },
  preview: bytes(5),
  warnings: [],
  ...over,
});
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, code: err.code, problems: (err.details as { problems: string[] }).problems };
    throw err;
  }
  throw new Error("not refused");
};

describe("imported PSD → template manifest", () => {
  test("placements keep their corners, stretch their artwork, get unique ids from their layers; the manifest is valid", () => {
    const up = psdToTemplateUpload(imported(), { fileName: "Living Room (v2).psd" });
    const m = up.manifest as { id: string; name: string; room: string; sample: string; placements: Array<Record<string, unknown>> };
    expect([m.id, m.name, m.room, m.sample]).toEqual(["living-room-v2", "Living Room (v2)", "imported", "sample.png"]);
    expect(m.placements).toEqual([
      { id: "Print-area", corners: [[10, 10], [200, 12.346], [190, 200], [12, 190]], fit: "stretch", blend: "multiply", shading: 1, mask: "mask-1.png" },
      { id: "Print-area-2", corners: [[210, 10], [390, 10], [390, 200], [210, 200]], fit: "stretch", blend: "normal" },
    ]);
    expect(parseTemplateManifest(up.manifest).ok).toBe(true);
    expect(up.masks.map((f) => f.name)).toEqual(["mask-1.png"]);
    expect(up.sample?.name).toBe("sample.png");
    // The seller's names win.
    expect(psdToTemplateUpload(imported(), { fileName: "x.psd", id: "mine", name: "Mine", room: "office" }).manifest).toMatchObject({ id: "mine", name: "Mine", room: "office" });
  });

  test("what the manifest cannot hold yet is refused with every problem; switched on, it is written", () => {
    const warp = { type: "mesh" as const, rows: 2, cols: 2, points: [[0, 0], [1, 0], [0, 1], [1, 1]] as Array<[number, number]> };
    const psd = imported({
      placements: [{ layer: "Mug", corners: [[10, 10], [200, 10], [200, 200], [10, 200]], blend: "screen", opacity: 0.7, warp }],
      overlays: [{ layers: ["Glare"], file: "overlay-1.png", blend: "screen", opacity: 0.5 }],
    });
    const r = refusal(() => psdToTemplateUpload(psd, { fileName: "m.psd" }));
    expect([r.status, r.code]).toEqual([422, "unsupported_warp"]);
    expect(r.problems).toHaveLength(4);
    // TODO(warp merge): these become the defaults once the manifest has them.
    const can = { ...MANIFEST_CAN, meshWarp: true, overlays: true, opacity: true, blends: ["normal", "multiply", "screen", "overlay", "soft-light", "darken", "lighten"] };
    const up = psdToTemplateUpload(psd, { fileName: "m.psd" }, can);
    expect(up.manifest).toMatchObject({ placements: [{ warp, opacity: 0.7, blend: "screen" }], overlays: [{ file: "overlay-1.png", blend: "screen", opacity: 0.5 }] });
    // A warped placement takes its corners from its mesh.
    expect((up.manifest as { placements: Array<Record<string, unknown>> }).placements[0]!.corners).toBeUndefined();
    // Photoshop's names become the manifest's; a mode it lacks is still refused, overlays included.
    const soft = psdToTemplateUpload(imported({ placements: [{ ...psd.placements[0]!, blend: "soft light" }] }), { fileName: "m.psd" }, can);
    expect((soft.manifest as { placements: Array<{ blend: string }> }).placements[0]!.blend).toBe("soft-light");
    expect(refusal(() => psdToTemplateUpload(imported({ overlays: [{ layers: ["Glow"], file: "overlay-1.png", blend: "color dodge", opacity: 1 }] }), { fileName: "m.psd" }, can))).toMatchObject({ code: "unsupported_blend", problems: [expect.stringContaining('"Glow" use blend mode color dodge')] });
    expect(up.masks.map((f) => f.name)).toEqual(["overlay-1.png"]);
    expect(refusal(() => psdToTemplateUpload(imported({ placements: [{ ...psd.placements[0]!, warp: undefined, unsupportedWarp: "the warp style \"twist\" cannot be represented" }] }), { fileName: "m.psd" }, can))).toMatchObject({ code: "unsupported_warp", problems: [expect.stringContaining("twist")] });
  });
});

describe("PSD header", () => {
  const header = (patch: (v: DataView) => void, length = 64) => {
    const b = new Uint8Array(length);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0x38425053);
    v.setUint16(4, 1);
    v.setUint16(12, 3);
    v.setUint32(14, 300);
    v.setUint32(18, 400);
    v.setUint16(22, 8);
    v.setUint16(24, 3);
    // colour data 0, resources 0, layer-and-mask 10, layer info 6, 5 layers
    v.setUint32(26, 0);
    v.setUint32(30, 0);
    v.setUint32(34, 10);
    v.setUint32(38, 6);
    v.setInt16(42, -5);
    patch(v);
    return b;
  };
  const limits = { maxSidePx: 1000, maxLayers: 4 };
  test("reads the size, mode, depth and layer count without parsing; refuses by the limits", () => {
    expect(readPsdHeader(header(() => {}))).toEqual({ version: 1, channels: 3, width: 400, height: 300, bitsPerChannel: 8, colorMode: 3, layerCount: 5 });
    expect(headerProblem(readPsdHeader(header(() => {})), limits)?.code).toBe("too_many_layers");
    expect(headerProblem(readPsdHeader(header(() => {})), { ...limits, maxLayers: 5 })).toBeUndefined();
    expect(headerProblem(readPsdHeader(header((v) => v.setUint32(18, 1001))), limits)?.code).toBe("psd_too_large");
    expect(headerProblem(readPsdHeader(header((v) => v.setUint16(24, 9))), limits)?.details).toEqual({ reason: "color_mode" });
    expect(headerProblem(readPsdHeader(header((v) => v.setUint16(22, 32))), limits)?.message).toMatch(/32 bits/);
  });
  test("what is not a whole Photoshop file is corrupt_psd", () => {
    for (const b of [new Uint8Array(10), header((v) => v.setUint32(0, 0x89504e47)), header((v) => v.setUint16(4, 3)), header((v) => v.setUint32(14, 0)), header((v) => v.setUint32(30, 1e6))]) {
      expect(() => readPsdHeader(b)).toThrow(expect.objectContaining({ code: "corrupt_psd", status: 422 }));
    }
  });
});
