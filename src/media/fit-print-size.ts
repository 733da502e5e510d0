/** Pixel size whose longest side is `longestSidePx`, keeping the aspect ratio. */
export function fitLongestSide(width: number, height: number, longestSidePx: number) {
  const scale = longestSidePx / Math.max(width, height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}
