import { expect, test } from "bun:test";
import { Counter, Gauge, Histogram, Registry } from "../../src/metrics/registry.ts";

test("counters, gauges and histograms render in the Prometheus text format", async () => {
  const r = new Registry();
  const c = r.add(new Counter("x_total", "Things."));
  c.inc({ type: "a" });
  c.inc({ type: "a" }, 2);
  c.inc({ type: 'q"uote' });
  r.add(new Gauge("g", "A gauge.", (set) => set({ state: "queued" }, 7)));
  const h = r.add(new Histogram("d_seconds", "Durations.", [0.1, 1]));
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const text = await r.render();
  expect(text).toContain("# TYPE x_total counter\n");
  expect(text).toContain('x_total{type="a"} 3\n');
  expect(text).toContain('x_total{type="q\\"uote"} 1\n');
  expect(text).toContain('g{state="queued"} 7\n');
  expect(text).toContain('d_seconds_bucket{le="0.1"} 1\n');
  expect(text).toContain('d_seconds_bucket{le="1"} 2\n');
  expect(text).toContain('d_seconds_bucket{le="+Inf"} 3\n');
  expect(text).toContain("d_seconds_sum 5.55\n");
  expect(text).toContain("d_seconds_count 3\n");
});
