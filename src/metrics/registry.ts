/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4). Values live in memory, per process.
 */
type Labels = Record<string, string>;

interface Metric {
  readonly name: string;
  render(): string[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const keys = Object.keys(labels);
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",")}}` : "";
};
const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN");

/** A value that only goes up, per label set. */
export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, private readonly help: string) {}

  /** Adds `by` (default 1) to the series with these labels. */
  inc(labels: Labels = {}, by = 1): void {
    const k = keyOf(labels);
    const v = this.values.get(k);
    if (v) v.value += by;
    else this.values.set(k, { labels, value: by });
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values.values()].map((v) => `${this.name}${labelText(v.labels)} ${num(v.value)}`)];
  }
}

/** A value read when scraped (e.g. RSS, jobs by state), or set directly. */
export class Gauge implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
    /** Called at scrape time to refresh the values. */
    private readonly collect?: (set: (labels: Labels, value: number) => void) => Promise<void> | void,
  ) {}

  /** Sets the series with these labels. */
  set(labels: Labels, value: number): void {
    this.values.set(keyOf(labels), { labels, value });
  }

  /** Runs the collector, if any; the registry calls it before rendering. */
  async refresh(): Promise<void> {
    if (!this.collect) return;
    this.values.clear();
    await this.collect((labels, value) => this.set(labels, value));
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, ...[...this.values.values()].map((v) => `${this.name}${labelText(v.labels)} ${num(v.value)}`)];
  }
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, private readonly help: string, private readonly buckets: number[]) {}

  /** Records one observation in the series with these labels. */
  observe(value: number, labels: Labels = {}): void {
    const k = keyOf(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`, `${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

/** The metrics of one process, rendered for GET /metrics. */
export class Registry {
  private readonly metrics: Metric[] = [];

  /** Registers a metric and returns it. */
  add<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  /** Every metric in the text format, collectors refreshed first. */
  async render(): Promise<string> {
    await Promise.all(this.metrics.map((m) => (m instanceof Gauge ? m.refresh() : undefined)));
    return `${this.metrics.flatMap((m) => m.render()).join("\n")}\n`;
  }
}
