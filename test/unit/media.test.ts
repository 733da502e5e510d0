import { describe, expect, test } from "bun:test";
import sharp from "sharp";
import { detectImageFormat } from "../../src/media/detect-format.ts";
import { findOpaqueBounds } from "../../src/media/find-opaque-bounds.ts";
import { fitLongestSide } from "../../src/media/fit-print-size.ts";
import { readImageHeader } from "../../src/media/read-image-header.ts";
import { AppError } from "../../src/errors.ts";
import { badFixtures } from "../support/test-app.ts";

const tiny = (format: "jpeg" | "png" | "webp" | "tiff" | "gif" | "avif") =>
  sharp({ create: { width: 16, height: 16, channels: 3, background: "#c33" } })
    .toFormat(format)
    .toBuffer();

describe("detectImageFormat", () => {
  test.each(["jpeg", "png", "webp", "tiff", "gif", "avif"] as const)("sniffs %s from the bytes", async (format) => {
    expect(detectImageFormat(await tiny(format))).toBe(format);
  });

  test("text, HTML and short input are not images", () => {
    const enc = new TextEncoder();
    expect(detectImageFormat(enc.encode("<!doctype html><html></html>"))).toBeUndefined();
    expect(detectImageFormat(enc.encode("just some text in a .png file"))).toBeUndefined();
    expect(detectImageFormat(new Uint8Array([0xff, 0xd8]))).toBeUndefined();
  });
});

describe("readImageHeader", () => {
  const codes: Record<string, string> = {
    "zero-bytes.jpg": "empty_file",
    "not-an-image.png": "unsupported_format",
    "html-as-jpg.jpg": "unsupported_format",
    "pixel-bomb-20000x20000.png": "too_many_pixels",
  };
  // Driven by the expected list: a fixture that went missing fails instead of silently skipping.
  const fixtures = new Map(badFixtures());
  for (const name of Object.keys(codes)) {
    test(`${name} is refused as ${codes[name]} without decoding`, async () => {
      const bytes = fixtures.get(name);
      if (!bytes) throw new Error(`missing fixture test/fixtures/bad/${name}`);
      const err = await readImageHeader(bytes, 100_000_000).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(codes[name]!);
    });
  }
});

describe("findOpaqueBounds", () => {
  const image = (w: number, h: number, ink: Array<[number, number]>) => {
    const px = new Uint8Array(w * h * 4);
    for (const [x, y] of ink) px[(y * w + x) * 4 + 3] = 1;
    return px;
  };
  test("finds the box around every non-transparent pixel", () => {
    expect(findOpaqueBounds(image(10, 8, [[3, 2], [6, 5], [4, 1]]), 10, 8, 4)).toEqual({ left: 3, top: 1, width: 4, height: 5 });
  });
  test("a single pixel in a corner", () => {
    expect(findOpaqueBounds(image(5, 5, [[4, 4]]), 5, 5, 4)).toEqual({ left: 4, top: 4, width: 1, height: 1 });
  });
  test("fully transparent has no bounds", () => {
    expect(findOpaqueBounds(image(5, 5, []), 5, 5, 4)).toBeUndefined();
  });
});

test("fitLongestSide keeps the aspect ratio", () => {
  expect(fitLongestSide(3000, 2000, 4000)).toEqual({ width: 4000, height: 2667 });
  expect(fitLongestSide(1000, 5000, 4000)).toEqual({ width: 800, height: 4000 });
});
