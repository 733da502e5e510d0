import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { peakRssMb, startServer } from "../support/server-process.ts";
import { serverTuning } from "./server-env.ts";
import { report } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const MUG = new URL("../../src/templates/mug-cylinder/", import.meta.url).pathname;

/**
 * Saving an edited template, as the editor did it before (a full-size preview to check the
 * draft, DELETE, then POST with every file) and as it does now (PUT with the manifest alone),
 * alternately on one server; and the editor's live preview of an opened template whose
 * overlays, map and colourway mask come from the server (`from`). A mug with a mask, a
 * displacement map, two overlays and colourways: 1600×1200, six files.
 */
export async function benchTemplateEdit(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-template-edit-"));
  const server = await startServer({ ...serverTuning(), DATA_DIR: dataDir, LOG_LEVEL: "info" }, 60_000);
  try {
    await Bun.sleep(200);
    const token = /(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
    const auth = { authorization: `Bearer ${token}` };
    const call = async (path: string, init: RequestInit) => {
      const res = await fetch(`${server.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
      if (!res.ok) throw new Error(`${init.method} ${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    const builtIn = JSON.parse(readFileSync(join(MUG, "template.json"), "utf8")) as Record<string, any>;
    const grey = (svgBody: string) => sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1200">${svgBody}</svg>`)).greyscale().png().toBuffer();
    const files: Array<[string, string, Uint8Array]> = [
      ["background", "background.jpg", new Uint8Array(readFileSync(join(MUG, "background.jpg")))],
      ["masks", "print-mask.png", new Uint8Array(await grey(`<rect width="1600" height="1200" fill="#fff"/><rect y="700" width="1600" height="50" fill="#000"/>`))],
      ["masks", "ripples.png", new Uint8Array(await grey(`<rect width="1600" height="1200" fill="#808080"/><rect y="500" width="1600" height="80" fill="#909090"/>`))],
      ...["shading.png", "glare.png", "product-mask.png"].map((n) => ["masks", n, new Uint8Array(readFileSync(join(MUG, n)))] as [string, string, Uint8Array]),
    ];
    const manifest = (dx: number) => ({
      ...builtIn,
      id: "bench-mug",
      name: "Bench mug",
      placements: [{ ...builtIn.placements[0], corners: builtIn.placements[0].corners.map(([x, y]: [number, number]) => [x + dx, y]), mask: "print-mask.png", displacement: { map: "ripples.png", strength: 5 } }],
    });
    const form = (m: unknown, withFiles: boolean, fields: Record<string, string> = {}) => {
      const f = new FormData();
      f.append("manifest", JSON.stringify(m));
      if (withFiles) for (const [field, name, bytes] of files) f.append(field, new File([bytes], name));
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      return f;
    };
    const allBytes = files.reduce((n, [, , b]) => n + b.length, 0);
    await call("/api/templates", { method: "POST", body: form(manifest(0), true) });

    const before: number[] = [];
    const now: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternately, so the shared machine's load falls on both alike.
      let t0 = performance.now();
      await call("/api/templates/preview", { method: "POST", body: form(manifest(i % 2 ? 5 : 10), true) });
      await call("/api/templates/bench-mug", { method: "DELETE" });
      await call("/api/templates", { method: "POST", body: form(manifest(i % 2 ? 5 : 10), true) });
      before.push(performance.now() - t0);
      t0 = performance.now();
      await call("/api/templates/bench-mug", { method: "PUT", body: form(manifest(i % 2 ? 15 : 20), false) });
      now.push(performance.now() - t0);
    }
    report("template save, before: full preview + DELETE + POST (every file)", before, "ms", { sentKb: Math.round((2 * allBytes) / 1024) });
    report("template save, now: PUT (manifest only, files kept)", now, "ms", { sentKb: 1 });

    // The editor's preview: the photo at 800 px and the mask, the rest from the template.
    const k = 0.5;
    const small = (dx: number) => {
      const m = manifest(dx);
      return { ...m, width: 800, height: 600, placements: m.placements.map((p: any) => ({ ...p, corners: p.corners.map(([x, y]: [number, number]) => [x * k, y * k]), displacement: { ...p.displacement, strength: p.displacement.strength * k } })) };
    };
    const photo = new Uint8Array(await sharp(files[0]![2]).resize(800, 600).jpeg({ quality: 90 }).toBuffer());
    const mask = new Uint8Array(await sharp(files[1]![2]).resize(800, 600).png().toBuffer());
    const previewForm = (dx: number) => {
      const f = new FormData();
      f.append("manifest", JSON.stringify(small(dx)));
      f.append("background", new File([photo], "background.jpg"));
      f.append("masks", new File([mask], "print-mask.png"));
      f.append("from", "bench-mug");
      return f;
    };
    let t0 = performance.now();
    await call("/api/templates/preview", { method: "POST", body: previewForm(0) });
    const first = performance.now() - t0;
    const moved: number[] = [];
    for (let i = 1; i <= RUNS * 2; i++) {
      t0 = performance.now();
      await call("/api/templates/preview", { method: "POST", body: previewForm(i % 7) });
      moved.push(performance.now() - t0);
    }
    report("template preview with from, corner moved", moved, "ms", { firstMs: Math.round(first) });
    process.stdout.write(`bench template-edit: server peak RSS ${Math.round(await peakRssMb(server.proc.pid))} MB\n`);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchTemplateEdit();
