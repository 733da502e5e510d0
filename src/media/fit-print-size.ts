/** Pixel size whose longest side is `longestSidePx`, keeping the aspect ratio. */
export function fitLongestSide(width: number, height: number, longestSidePx: number) {
  const scale = longestSidePx / Math.max(width, height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** The largest size with the aspect ratio kept that fits inside `box`. */
export function fitInside(width: number, height: number, box: { width: number; height: number }) {
  const scale = Math.min(box.width / width, box.height / height);
  return {
    width: Math.max(1, Math.min(box.width, Math.round(width * scale))),
    height: Math.max(1, Math.min(box.height, Math.round(height * scale))),
  };
}
