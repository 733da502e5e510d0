import { describe, expect, test } from "bun:test";
import { makeTestApp } from "../support/test-app.ts";

describe("/api/tokens", () => {
  test("lists, creates (shown once), revokes; a revoked token answers 401 at once", async () => {
    const t = await makeTestApp();
    const list = async (as?: string) => ((await (await t.request("/api/tokens", {}, as)).json()) as { items: Array<{ id: string; name: string; current: boolean; lastUsedAt: string | null }> }).items;
    const first = await list();
    expect(first).toHaveLength(1);
    expect(first[0]!.current).toBe(true);
    expect(first[0]!.lastUsedAt).not.toBeNull(); // this very request used it

    const res = await t.request("/api/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "  laptop " }) });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const made = (await res.json()) as { id: string; name: string; token: string; createdAt: string; lastUsedAt: null };
    expect(made).toMatchObject({ name: "laptop", lastUsedAt: null });
    expect(made.token).toMatch(/^atl_/);

    const seen = await list(made.token);
    expect(seen.map((x) => x.name)).toEqual([first[0]!.name, "laptop"]);
    expect(seen.find((x) => x.id === made.id)!.current).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(made.token); // never listed again

    expect((await t.request(`/api/tokens/${made.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await t.request("/api/designs", {}, made.token)).status).toBe(401);
    expect((await t.request(`/api/tokens/${made.id}`, { method: "DELETE" })).status).toBe(404);
  });

  test("bad input and the last token are refused with codes; another shop's token is 404", async () => {
    const a = await makeTestApp();
    const b = await makeTestApp();
    const post = (body: string) => a.request("/api/tokens", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(((await (await post(JSON.stringify({ name: "" }))).json()) as { error: { code: string } }).error.code).toBe("invalid_fields");
    expect((await post(JSON.stringify({ name: "x".repeat(101) }))).status).toBe(400);
    expect((await a.request("/api/tokens/not-a-uuid", { method: "DELETE" })).status).toBe(404);

    const [own] = ((await (await a.request("/api/tokens")).json()) as { items: Array<{ id: string }> }).items;
    const last = await a.request(`/api/tokens/${own!.id}`, { method: "DELETE" });
    expect(last.status).toBe(409);
    expect(((await last.json()) as { error: { code: string } }).error.code).toBe("last_token");
    expect((await b.request(`/api/tokens/${own!.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await a.request("/api/designs")).status).toBe(200);
  });
});
