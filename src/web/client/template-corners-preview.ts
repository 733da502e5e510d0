/** What the preview can read of a manifest: only the fields it draws or checks. */
export interface ManifestDraft {
  id?: unknown;
  background?: unknown;
  width?: unknown;
  height?: unknown;
  placements?: Array<{ id?: unknown; corners?: unknown; mask?: unknown; warp?: unknown }>;
}

type Point = [number, number];

/** Parses the manifest text; errors are what makes it unusable for a preview. */
export function parseManifest(text: string): { manifest?: ManifestDraft; errors: string[] } {
  if (!text.trim()) return { errors: [] };
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { errors: ["The manifest must be a JSON object."] };
    return { manifest: value as ManifestDraft, errors: [] };
  } catch (err) {
    return { errors: [`The manifest is not valid JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
}

const cornersOf = (raw: unknown): Point[] | undefined =>
  Array.isArray(raw) && raw.length === 4 && raw.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === "number" && Number.isFinite(n)))
    ? (raw as Point[])
    : undefined;

// A mesh warp may leave its corners out: the server takes its four corner points, and so does the preview.
function placementCorners(p: { corners?: unknown; warp?: unknown }): Point[] | undefined {
  const given = cornersOf(p.corners);
  if (given || typeof p.warp !== "object" || p.warp === null) return given;
  const { type, rows, cols, points } = p.warp as { type?: unknown; rows?: unknown; cols?: unknown; points?: unknown };
  if (type !== "mesh" || typeof rows !== "number" || typeof cols !== "number" || !Array.isArray(points) || points.length !== rows * cols) return undefined;
  return cornersOf([points[0], points[cols - 1], points[rows * cols - 1], points[(rows - 1) * cols]]);
}

/** True when the four points turn the same way at every corner (a convex quad, in order). */
function convexInOrder(c: Point[]): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [a, b, d] = [c[i]!, c[(i + 1) % 4]!, c[(i + 2) % 4]!];
    const cross = (b[0] - a[0]) * (d[1] - b[1]) - (b[1] - a[1]) * (d[0] - b[0]);
    if (cross === 0) return false;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  // Clockwise on screen (y down) is top-left → top-right → bottom-right → bottom-left.
  return sign > 0;
}

/** What looks wrong before sending (the server checks everything again): sizes, corners, masks. */
export function checkDraft(m: ManifestDraft, background: { width: number; height: number } | undefined, maskNames: string[]): string[] {
  const problems: string[] = [];
  const w = typeof m.width === "number" ? m.width : undefined;
  const h = typeof m.height === "number" ? m.height : undefined;
  if (w === undefined || h === undefined) problems.push("The manifest needs a width and a height (the background's size in pixels).");
  if (background && w !== undefined && h !== undefined && (background.width !== w || background.height !== h)) {
    problems.push(`The background is ${background.width} × ${background.height}, but the manifest says ${w} × ${h}.`);
  }
  if (!Array.isArray(m.placements) || m.placements.length === 0) problems.push("The manifest needs at least one placement.");
  for (const [i, p] of (Array.isArray(m.placements) ? m.placements : []).entries()) {
    const name = typeof p.id === "string" ? `Placement "${p.id}"` : `Placement ${i + 1}`;
    const c = placementCorners(p);
    if (!c) {
      problems.push(`${name} needs four corners, each [x, y].`);
      continue;
    }
    if (w !== undefined && h !== undefined && c.some(([x, y]) => x < 0 || y < 0 || x > w || y > h)) problems.push(`${name} has a corner outside the background.`);
    if (!convexInOrder(c)) problems.push(`${name}: the corners must go top-left, top-right, bottom-right, bottom-left and form a convex shape.`);
    if (typeof p.mask === "string" && !maskNames.includes(p.mask)) problems.push(`${name} uses the mask ${p.mask}: choose that file under Masks.`);
  }
  return problems;
}

/**
 * Draws the background scaled to the canvas, and over it each placement's outline, its corners
 * numbered 1–4 (top-left, top-right, bottom-right, bottom-left) and its id.
 */
export function drawPlacements(canvas: HTMLCanvasElement, background: ImageBitmap, m: ManifestDraft): void {
  const maxWidth = 1440; // drawn at up to twice its shown size, so it stays sharp on high-DPI screens
  const scaleToCanvas = Math.min(1, maxWidth / background.width);
  canvas.width = Math.round(background.width * scaleToCanvas);
  canvas.height = Math.round(background.height * scaleToCanvas);
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.drawImage(background, 0, 0, canvas.width, canvas.height);
  // Corners are in the manifest's pixels; a background of another size is stretched to them.
  const sx = canvas.width / (typeof m.width === "number" && m.width > 0 ? m.width : background.width);
  const sy = canvas.height / (typeof m.height === "number" && m.height > 0 ? m.height : background.height);
  const unit = Math.max(1, canvas.width / 720);
  for (const [i, p] of (Array.isArray(m.placements) ? m.placements : []).entries()) {
    const c = placementCorners(p);
    if (!c) continue;
    const pts = c.map(([x, y]) => [x * sx, y * sy] as Point);
    ctx.beginPath();
    pts.forEach(([x, y], k) => (k === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.closePath();
    ctx.fillStyle = "rgb(29 78 216 / 0.22)";
    ctx.fill();
    // A white line under a dark one: visible on light and dark backgrounds alike.
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 5 * unit;
    ctx.stroke();
    ctx.strokeStyle = "#1d4ed8";
    ctx.lineWidth = 2.5 * unit;
    ctx.stroke();
    ctx.font = `bold ${Math.round(13 * unit)}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    pts.forEach(([x, y], k) => {
      ctx.beginPath();
      ctx.arc(x, y, 9 * unit, 0, Math.PI * 2);
      ctx.fillStyle = "#1d4ed8";
      ctx.fill();
      ctx.lineWidth = 2 * unit;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
      ctx.fillStyle = "#ffffff";
      ctx.fillText(String(k + 1), x, y);
    });
    const cx = pts.reduce((n, [x]) => n + x, 0) / 4;
    const cy = pts.reduce((n, [, y]) => n + y, 0) / 4;
    const label = typeof p.id === "string" ? p.id : `placement ${i + 1}`;
    ctx.font = `bold ${Math.round(16 * unit)}px system-ui, sans-serif`;
    ctx.lineWidth = 4 * unit;
    ctx.strokeStyle = "#ffffff";
    ctx.strokeText(label, cx, cy);
    ctx.fillStyle = "#1c1c21";
    ctx.fillText(label, cx, cy);
  }
}
