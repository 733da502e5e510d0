import { describe, expect, test } from "bun:test";
import { makeTestApp } from "../support/test-app.ts";

// How Atelier serves its web app (no browser needed): the shell, the hashed assets, caching.
describe("the web app's files", () => {
  test("/ is the HTML shell, public, revalidated, with a strict content security policy", async () => {
    const t = await makeTestApp();
    const res = await t.app.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    expect(html).toContain('<main id="main"');
    // A revalidation of an unchanged shell is a 304 without a body.
    const again = await t.app.request("/", { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });

  test("assets have hashed names, are cached for a year and gzipped when asked", async () => {
    const t = await makeTestApp();
    const html = await (await t.app.request("/")).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const js = await t.app.request(script!);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const plain = await js.text();
    expect(plain).toContain("/api/jobs/"); // the bundle holds the modules, not imports of them
    const gz = await t.app.request(script!, { headers: { "accept-encoding": "gzip, br" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer())))).toBe(plain);
    expect(gz.headers.get("etag")).not.toBe(js.headers.get("etag"));
    expect((await t.app.request(style!)).headers.get("content-type")).toContain("text/css");
    expect((await t.app.request("/assets/nothing-here.js")).status).toBe(404);
  });

  test("the API still needs its token, and /healthz still answers", async () => {
    const t = await makeTestApp();
    expect((await t.app.request("/api/designs")).status).toBe(401);
    expect((await t.app.request("/healthz")).status).toBe(200);
  });
});
