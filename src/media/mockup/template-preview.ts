import sharp from "sharp";
import type { Placement, TemplateManifest } from "./template-manifest.ts";
import { placementSurface } from "./warp-surface.ts";

/** Width of template previews in pixels. */
export const PREVIEW_WIDTH = 480;

/** A small JPEG of the background with each placement's outline drawn over it. */
export async function renderTemplatePreview(background: string | Uint8Array, m: TemplateManifest): Promise<Buffer> {
  const scale = PREVIEW_WIDTH / m.width;
  const height = Math.max(1, Math.round(m.height * scale));
  const outlines = m.placements
    .map((p) => {
      const points = outline(p).map(([x, y]) => `${(x * scale).toFixed(1)},${(y * scale).toFixed(1)}`).join(" ");
      return `<polygon points="${points}" fill="none" stroke="#ff2d7a" stroke-width="2" stroke-dasharray="6 4"/>`;
    })
    .join("");
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${PREVIEW_WIDTH}" height="${height}">${outlines}</svg>`);
  return sharp(background, { failOn: "warning", pages: 1 })
    .resize(PREVIEW_WIDTH, height, { fit: "fill" })
    .composite([{ input: svg, top: 0, left: 0 }])
    .jpeg({ quality: 80, mozjpeg: true })
    .toBuffer();
}

// A quad's four corners; a mesh's or a cylinder's edges, followed along the curve.
function outline(p: Placement): Array<[number, number]> {
  if (!p.warp || p.warp.type === "perspective") return p.corners;
  const surface = placementSurface(p);
  const steps = 16;
  const points: Array<[number, number]> = [];
  for (let i = 0; i < steps; i++) points.push(surface(i / steps, 0));
  for (let i = 0; i < steps; i++) points.push(surface(1, i / steps));
  for (let i = steps; i > 0; i--) points.push(surface(i / steps, 1));
  for (let i = steps; i > 0; i--) points.push(surface(0, i / steps));
  return points;
}
