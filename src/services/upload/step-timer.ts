/** Milliseconds per step: `lap()` since the previous lap. */
export function stepTimer() {
  let last = performance.now();
  return {
    lap() {
      const now = performance.now();
      const d = now - last;
      last = now;
      return Math.round(d * 10) / 10;
    },
  };
}
