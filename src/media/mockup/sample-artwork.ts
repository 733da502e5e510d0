import sharp from "sharp";
import type { DecodedArtwork } from "./decode-artwork.ts";

let sample: Promise<DecodedArtwork> | undefined;

// Four colours, one per quarter, and a grid: which corner went where and how the perspective
// bends is visible at a glance.
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800">
<rect width="300" height="400" fill="#e4572e"/><rect x="300" width="300" height="400" fill="#29335c"/>
<rect y="400" width="300" height="400" fill="#f3a712"/><rect x="300" y="400" width="300" height="400" fill="#669bbc"/>
<g stroke="#fff" stroke-width="6" opacity="0.8">${[100, 200, 300, 400, 500].map((x) => `<line x1="${x}" y1="0" x2="${x}" y2="800"/>`).join("")}${[100, 200, 300, 400, 500, 600, 700].map((y) => `<line x1="0" y1="${y}" x2="600" y2="${y}"/>`).join("")}</g>
<circle cx="300" cy="400" r="120" fill="#fff"/></svg>`;

/** A sample artwork for previews of a shop without designs (made once). */
export function sampleArtwork(): Promise<DecodedArtwork> {
  sample ??= sharp(Buffer.from(SVG))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .then(({ data, info }) => {
      const pixels = new Uint8Array(new SharedArrayBuffer(data.length));
      pixels.set(data);
      return { key: "sample-artwork", pixels, width: info.width, height: info.height };
    });
  return sample;
}
