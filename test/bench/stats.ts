/** Median of a list of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One result line: name, median, min, max, and extra figures. */
export function report(name: string, samples: number[], unit: string, extra: Record<string, string | number> = {}) {
  const r = (n: number) => Math.round(n * 10) / 10;
  const more = Object.entries(extra).map(([k, v]) => ` ${k}=${v}`).join("");
  process.stdout.write(
    `bench ${name}: median ${r(median(samples))} ${unit} (min ${r(Math.min(...samples))}, max ${r(Math.max(...samples))}, runs ${samples.length})${more}\n`,
  );
}
