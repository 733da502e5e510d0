import { describe, expect, test } from "bun:test";
import { assertSafeRelativePath, printFileName, sanitizeSegment, storagePath } from "../../src/storage/storage-path.ts";

describe("storage paths", () => {
  test.each([
    ["..", "x"],
    [".", "x"],
    ["../../etc/passwd", "etc-passwd"],
    ["a/b\\c", "a-b-c"],
    ["bell\u0007\u0000name", "bell-name"],
    ["  spaced  out  ", "spaced-out"],
    [".hidden", "hidden"],
    ["Ünïcode ok", "Ünïcode-ok"],
    ['co:lo*n?"<>|', "co-lo-n"],
    ["", "x"],
  ])("sanitizeSegment(%p) = %p", (input, expected) => {
    expect(sanitizeSegment(input, "x")).toBe(expected);
  });

  test("long names are cut on a character boundary", () => {
    const s = sanitizeSegment("é".repeat(200));
    expect(new TextEncoder().encode(s).length).toBeLessThanOrEqual(120);
    expect(s).toBe("é".repeat(60));
  });

  test("storagePath builds shop/product/file", () => {
    expect(storagePath("my shop", "../poster", "a.png")).toBe("my-shop/poster/a.png");
  });

  test("print file names are unique per id and keep the base name", () => {
    expect(printFileName("Cat Art.final.JPG", "abc123", "png")).toBe("Cat-Art.final-abc123.png");
    expect(printFileName("..", "abc123", "png")).toBe("design-abc123.png");
  });

  test("unsafe relative paths are refused", () => {
    for (const bad of ["../x", "a//b", "/abs", "a/./b", "a/.tmp"]) expect(() => assertSafeRelativePath(bad)).toThrow();
    expect(assertSafeRelativePath("a/b/c.png")).toEqual(["a", "b", "c.png"]);
  });
});
