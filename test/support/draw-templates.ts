/**
 * Draws the product templates shipped in src/templates (mug, t-shirt, tote) from SVG shapes and
 * a little pixel arithmetic, so every file there is reproducible and ours:
 *   npx bun test/support/draw-templates.ts [folder]   (default: src/templates)
 * Each template is built like a layered product mockup: a flat product colour in the background
 * (what a colourway recolours), the folds or the cylinder's shading as a multiply overlay above
 * the artwork, glare as a screen overlay, and a displacement map made from the same folds.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

const root = process.argv[2] ?? new URL("../../src/templates/", import.meta.url).pathname;

type Pt = [number, number];

async function rasterGrey(svg: string, w: number, h: number): Promise<Uint8Array> {
  const b = await sharp(Buffer.from(svg)).resize(w, h).greyscale().extractChannel(0).raw().toBuffer();
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

async function writeGrey(path: string, grey: Uint8Array, w: number, h: number): Promise<void> {
  await sharp(grey, { raw: { width: w, height: h, channels: 1 } }).png({ compressionLevel: 9 }).toFile(path);
}

async function writeRgba(path: string, rgba: Uint8Array, w: number, h: number): Promise<void> {
  await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png({ compressionLevel: 9 }).toFile(path);
}

const svg = (w: number, h: number, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`;

/** Points of a rows × cols mesh lying on `f` at even parameter steps (row by row from the top-left). */
function meshPoints(rows: number, cols: number, f: (s: number, t: number) => Pt): Pt[] {
  const points: Pt[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) points.push(f(c / (cols - 1), r / (rows - 1)).map((v) => Math.round(v * 10) / 10) as Pt);
  return points;
}

function writeManifest(dir: string, manifest: unknown): void {
  writeFileSync(join(dir, "template.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
async function drawMug(): Promise<void> {
  const W = 1600, H = 1200;
  const dir = join(root, "mug-cylinder");
  mkdirSync(dir, { recursive: true });
  const cx = 800, rx = 280, ry = 46, top = 300, bottom = 900;
  const body = `M ${cx - rx} ${top} L ${cx - rx} ${bottom} A ${rx} ${ry} 0 0 0 ${cx + rx} ${bottom} L ${cx + rx} ${top} A ${rx} ${ry} 0 0 1 ${cx - rx} ${top} Z`;
  const handle = `M ${cx + rx - 10} 420 C ${cx + rx + 190} 400, ${cx + rx + 200} 760, ${cx + rx - 10} 770`;
  const scene = svg(W, H, `
    <defs>
      <linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#efe9e0"/><stop offset="1" stop-color="#d9d0c2"/></linearGradient>
      <linearGradient id="table" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#b48c66"/><stop offset="1" stop-color="#8d6847"/></linearGradient>
      <radialGradient id="inside" cx="0.5" cy="0.3" r="0.7"><stop offset="0" stop-color="#cfccc6"/><stop offset="1" stop-color="#9c9892"/></radialGradient>
      <filter id="soft"><feGaussianBlur stdDeviation="22"/></filter>
    </defs>
    <rect width="${W}" height="${H}" fill="url(#wall)"/>
    <rect y="820" width="${W}" height="${H - 820}" fill="url(#table)"/>
    <ellipse cx="${cx + 60}" cy="${bottom + 18}" rx="${rx + 120}" ry="${ry + 18}" fill="#3b2a1c" opacity="0.45" filter="url(#soft)"/>
    <path d="${handle}" fill="none" stroke="#f1f0ec" stroke-width="58" stroke-linecap="round"/>
    <path d="${body}" fill="#f1f0ec"/>
    <ellipse cx="${cx}" cy="${top}" rx="${rx}" ry="${ry}" fill="#f6f5f2"/>
    <ellipse cx="${cx}" cy="${top + 4}" rx="${rx - 18}" ry="${ry - 8}" fill="url(#inside)"/>`);
  await sharp(Buffer.from(scene)).jpeg({ quality: 90 }).toFile(join(dir, "background.jpg"));
  // The product: body, rim and handle, not the glazed inside.
  const mask = await rasterGrey(svg(W, H, `<rect width="${W}" height="${H}" fill="#000"/>
    <path d="${handle}" fill="none" stroke="#fff" stroke-width="58" stroke-linecap="round"/>
    <path d="${body}" fill="#fff"/><ellipse cx="${cx}" cy="${top}" rx="${rx}" ry="${ry}" fill="#fff"/>
    <ellipse cx="${cx}" cy="${top + 4}" rx="${rx - 18}" ry="${ry - 8}" fill="#000"/>`), W, H);
  await writeGrey(join(dir, "product-mask.png"), mask, W, H);
  // The cylinder's shading, lit from the left: multiplied over mug and artwork alike.
  const shade = await sharp(Buffer.from(svg(W, H, `
    <defs><linearGradient id="s" x1="${cx - rx}" x2="${cx + rx}" y1="0" y2="0" gradientUnits="userSpaceOnUse">
      <stop offset="0" stop-color="#8c8a86"/><stop offset="0.12" stop-color="#cfcdc9"/><stop offset="0.32" stop-color="#ffffff"/>
      <stop offset="0.62" stop-color="#f2f1ee"/><stop offset="0.88" stop-color="#b3b0ab"/><stop offset="1" stop-color="#7d7a75"/></linearGradient>
      <linearGradient id="h" x1="${cx + rx}" x2="${cx + rx + 190}" y1="0" y2="0" gradientUnits="userSpaceOnUse">
      <stop offset="0" stop-color="#9a9893"/><stop offset="0.5" stop-color="#e9e8e4"/><stop offset="1" stop-color="#a29f99"/></linearGradient></defs>
    <path d="${handle}" fill="none" stroke="url(#h)" stroke-width="58" stroke-linecap="round"/>
    <path d="${body}" fill="url(#s)"/>`))).ensureAlpha().raw().toBuffer();
  await writeRgba(join(dir, "shading.png"), new Uint8Array(shade.buffer, shade.byteOffset, shade.length), W, H);
  // Glare: a soft vertical highlight on the glaze, screened over everything.
  const glare = await sharp(Buffer.from(svg(W, H, `<defs><filter id="b"><feGaussianBlur stdDeviation="14"/></filter>
      <clipPath id="c"><path d="${body}"/></clipPath></defs>
    <g clip-path="url(#c)"><rect x="${cx - rx + 95}" y="${top + 40}" width="46" height="${bottom - top - 40}" rx="22" fill="#ffffff" opacity="0.85" filter="url(#b)"/>
    <rect x="${cx - rx + 160}" y="${top + 60}" width="14" height="${bottom - top - 90}" rx="7" fill="#ffffff" opacity="0.5" filter="url(#b)"/></g>`)))
    .ensureAlpha().raw().toBuffer();
  await writeRgba(join(dir, "glare.png"), new Uint8Array(glare.buffer, glare.byteOffset, glare.length), W, H);
  // The print wraps 0.8 of the front half; its rim sags as the mug's ellipses do (ry·(1 - cos 72°)).
  const half = 0.8 * 90 * (Math.PI / 180);
  const halfWidth = Math.round(rx * Math.sin(half));
  const printTop = 380, printBottom = 820;
  writeManifest(dir, {
    id: "mug-cylinder",
    name: "Ceramic mug on a table",
    room: "kitchen",
    background: "background.jpg",
    width: W,
    height: H,
    placements: [
      {
        id: "wrap",
        corners: [[cx - halfWidth, printTop], [cx + halfWidth, printTop], [cx + halfWidth, printBottom], [cx - halfWidth, printBottom]],
        warp: { type: "cylinder", curvature: 0.8, bow: Math.round(((ry * (1 - Math.cos(half))) / (printBottom - printTop)) * 1000) / 1000 },
        blend: "normal",
        opacity: 0.97,
        fit: "cover",
      },
    ],
    overlays: [
      { file: "shading.png", blend: "multiply", opacity: 1 },
      { file: "glare.png", blend: "screen", opacity: 0.8 },
    ],
    colorways: { mask: "product-mask.png", colors: [{ name: "white", hex: "#f3f2ef" }, { name: "black", hex: "#2a2a2c" }] },
  });
}

// ---------------------------------------------------------------------------------------------
/** A box blur of a greyscale image, three passes ≈ Gaussian: the folds' displacement must be smooth. */
function blurGrey(src: Float32Array, w: number, h: number, radius: number): Float32Array {
  let a = src.slice(), b = new Float32Array(src.length);
  for (let pass = 0; pass < 3; pass++) {
    for (let y = 0; y < h; y++) {
      let acc = 0;
      for (let x = -radius; x <= radius; x++) acc += a[y * w + Math.min(w - 1, Math.max(0, x))]!;
      for (let x = 0; x < w; x++) {
        b[y * w + x] = acc / (2 * radius + 1);
        acc += a[y * w + Math.min(w - 1, x + radius + 1)]! - a[y * w + Math.max(0, x - radius)]!;
      }
    }
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let y = -radius; y <= radius; y++) acc += b[Math.min(h - 1, Math.max(0, y)) * w + x]!;
      for (let y = 0; y < h; y++) {
        a[y * w + x] = acc / (2 * radius + 1);
        acc += b[Math.min(h - 1, y + radius + 1) * w + x]! - b[Math.max(0, y - radius) * w + x]!;
      }
    }
  }
  return a;
}

async function drawShirt(): Promise<void> {
  const W = 1500, H = 1700;
  const dir = join(root, "tshirt-folds");
  mkdirSync(dir, { recursive: true });
  const shirt = "M 620 250 C 680 305, 820 305, 880 250 L 1045 300 L 1270 480 L 1165 660 L 1062 600 L 1075 1490 C 900 1525, 600 1525, 425 1490 L 438 600 L 335 660 L 230 480 L 455 300 Z";
  const collar = "M 620 250 C 680 305, 820 305, 880 250 L 860 244 C 810 284, 690 284, 640 244 Z";
  const scene = svg(W, H, `
    <defs>
      <radialGradient id="bg" cx="0.5" cy="0.42" r="0.8"><stop offset="0" stop-color="#f0eeea"/><stop offset="1" stop-color="#cfcbc4"/></radialGradient>
      <filter id="soft"><feGaussianBlur stdDeviation="28"/></filter>
    </defs>
    <rect width="${W}" height="${H}" fill="url(#bg)"/>
    <path d="${shirt}" transform="translate(18 26)" fill="#6d665c" opacity="0.35" filter="url(#soft)"/>
    <path d="${shirt}" fill="#f4f4f2"/>
    <path d="M 640 244 C 690 284, 810 284, 860 244 C 820 236, 680 236, 640 244 Z" fill="#d8d7d3"/>
    <path d="${collar}" fill="#e9e8e5"/>`);
  await sharp(Buffer.from(scene)).jpeg({ quality: 90 }).toFile(join(dir, "background.jpg"));
  const mask = await rasterGrey(svg(W, H, `<rect width="${W}" height="${H}" fill="#000"/><path d="${shirt}" fill="#fff"/><path d="${collar}" fill="#fff"/>`), W, H);
  await writeGrey(join(dir, "product-mask.png"), mask, W, H);
  // The folds as a photo would show them: mid-grey cloth, darker creases, lighter ridges beside them.
  const folds = await rasterGrey(svg(W, H, `<defs><filter id="b"><feGaussianBlur stdDeviation="16"/></filter>
      <filter id="t"><feGaussianBlur stdDeviation="5"/></filter></defs>
    <rect width="${W}" height="${H}" fill="#808080"/>
    <g filter="url(#b)" fill="none" stroke-linecap="round">
      <path d="M 450 640 C 560 760, 600 900, 590 1080" stroke="#3c3c3c" stroke-width="26"/>
      <path d="M 475 640 C 585 760, 625 900, 615 1080" stroke="#c4c4c4" stroke-width="22"/>
      <path d="M 1050 640 C 950 780, 930 920, 960 1100" stroke="#3c3c3c" stroke-width="26"/>
      <path d="M 1025 640 C 925 780, 905 920, 935 1100" stroke="#c4c4c4" stroke-width="22"/>
      <path d="M 520 1250 C 650 1210, 820 1290, 1000 1230" stroke="#444" stroke-width="24"/>
      <path d="M 520 1280 C 650 1240, 820 1320, 1000 1260" stroke="#bdbdbd" stroke-width="20"/>
      <path d="M 560 1400 C 700 1370, 850 1420, 980 1380" stroke="#4a4a4a" stroke-width="22"/>
      <path d="M 700 500 C 760 620, 740 760, 770 900" stroke="#5a5a5a" stroke-width="30"/>
      <path d="M 730 500 C 790 620, 770 760, 800 900" stroke="#b8b8b8" stroke-width="26"/>
      <path d="M 300 520 L 420 600" stroke="#4a4a4a" stroke-width="30"/>
      <path d="M 1200 520 L 1080 600" stroke="#4a4a4a" stroke-width="30"/>
    </g>
    <g filter="url(#t)"><path d="M 640 320 C 700 340, 800 340, 860 320" stroke="#5a5a5a" stroke-width="10" fill="none"/></g>`), W, H);
  // Shadows multiplied over shirt and print (white = no change); the overlay is the shirt only.
  const shadows = new Uint8Array(W * H * 4);
  const disp = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) {
    const f = folds[i]!;
    const m = mask[i]!;
    const v = f < 128 ? 255 - (128 - f) * 1.15 : 255 - (f - 128) * 0.12;
    shadows.set([v, v, v - 2, m], i * 4);
    disp[i] = 128 + ((f - 128) * m) / 255;
  }
  await writeRgba(join(dir, "folds.png"), shadows, W, H);
  // Displacement: the same folds, stretched to the full grey range and smoothed, mid-grey off the shirt.
  const smooth = blurGrey(disp, W, H, 6);
  const map = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) map[i] = Math.max(0, Math.min(255, Math.round(128 + (smooth[i]! - 128) * 1.6)));
  await writeGrey(join(dir, "displacement.png"), map, W, H);
  // The chest print: a 4 × 4 Bézier mesh bulging gently with the chest and sagging at the hem.
  const x0 = 555, y0 = 430, pw = 390, ph = 480;
  const points = meshPoints(4, 4, (s, t) => [x0 + pw * s + 14 * (s - 0.5) * Math.sin(Math.PI * t), y0 + ph * t + 10 * Math.sin(Math.PI * s) * (0.3 + t)]);
  writeManifest(dir, {
    id: "tshirt-folds",
    name: "T-shirt, front, folds",
    room: "apparel",
    background: "background.jpg",
    width: W,
    height: H,
    placements: [
      {
        id: "chest",
        warp: { type: "mesh", rows: 4, cols: 4, points },
        displacement: { map: "displacement.png", strength: 9 },
        blend: "normal",
        opacity: 0.94,
        fit: "contain",
      },
    ],
    overlays: [{ file: "folds.png", blend: "multiply", opacity: 1 }],
    colorways: {
      mask: "product-mask.png",
      colors: [
        { name: "white", hex: "#f5f5f3" },
        { name: "heather grey", hex: "#a3a6aa" },
        { name: "black", hex: "#252528" },
        { name: "heather navy", hex: "#2c3e5a" },
        { name: "red", hex: "#b3282d" },
      ],
    },
  });
}

// ---------------------------------------------------------------------------------------------
async function drawTote(): Promise<void> {
  const W = 1400, H = 1600;
  const dir = join(root, "tote-canvas");
  mkdirSync(dir, { recursive: true });
  const bag = "M 330 560 L 1070 560 L 1110 1400 C 900 1430, 500 1430, 290 1400 Z";
  const scene = svg(W, H, `
    <defs>
      <linearGradient id="wall" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#b9c4c2"/><stop offset="1" stop-color="#8f9c9a"/></linearGradient>
      <filter id="weave" x="0" y="0" width="100%" height="100%">
        <feTurbulence type="fractalNoise" baseFrequency="0.9 0.35" numOctaves="2" seed="7" result="n"/>
        <feColorMatrix in="n" type="matrix" values="0 0 0 0 0.86  0 0 0 0 0.80  0 0 0 0 0.68  0 0 0 -0.9 0.75"/>
        <feComposite in2="SourceGraphic" operator="in"/>
      </filter>
      <linearGradient id="light" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#000" stop-opacity="0.16"/>
        <stop offset="0.3" stop-color="#000" stop-opacity="0"/><stop offset="0.8" stop-color="#000" stop-opacity="0.04"/><stop offset="1" stop-color="#000" stop-opacity="0.2"/></linearGradient>
      <filter id="soft"><feGaussianBlur stdDeviation="24"/></filter>
      <filter id="crease"><feGaussianBlur stdDeviation="10"/></filter>
    </defs>
    <rect width="${W}" height="${H}" fill="url(#wall)"/>
    <circle cx="700" cy="180" r="14" fill="#5b5148"/>
    <path d="M 430 570 C 440 250, 690 170, 700 180 C 710 170, 960 250, 970 570" fill="none" stroke="#d7c9ab" stroke-width="44"/>
    <path d="${bag}" transform="translate(22 30)" fill="#2d3534" opacity="0.4" filter="url(#soft)"/>
    <path d="${bag}" fill="#e9dfc8"/>
    <path d="${bag}" fill="#fff" filter="url(#weave)"/>
    <path d="${bag}" fill="url(#light)"/>
    <g filter="url(#crease)" fill="none"><path d="M 480 600 C 520 900, 470 1150, 520 1390" stroke="#6b604c" stroke-width="10" opacity="0.35"/>
      <path d="M 930 600 C 880 900, 940 1150, 900 1390" stroke="#6b604c" stroke-width="10" opacity="0.3"/></g>
    <rect x="330" y="560" width="740" height="26" fill="#d9cdb3"/>`);
  await sharp(Buffer.from(scene)).jpeg({ quality: 90 }).toFile(join(dir, "background.jpg"));
  // The print hangs with the cloth: a 7 × 7 mesh (2 × 2 patches) with a soft sway.
  const x0 = 440, y0 = 700, pw = 520, ph = 580;
  const points = meshPoints(7, 7, (s, t) => [x0 + pw * s + 12 * Math.sin(Math.PI * t) * (s - 0.5) * 2 - 6 * Math.sin(2 * Math.PI * t), y0 + ph * t + 8 * Math.sin(Math.PI * s) * t]);
  writeManifest(dir, {
    id: "tote-canvas",
    name: "Canvas tote bag on a hook",
    room: "accessories",
    background: "background.jpg",
    width: W,
    height: H,
    placements: [{ id: "front", warp: { type: "mesh", rows: 7, cols: 7, points }, blend: "multiply", shading: 0.9, fit: "contain" }],
  });
}

await drawMug();
await drawShirt();
await drawTote();
process.stdout.write(`templates drawn in ${root}\n`);
