import { expect, test } from "bun:test";
import { derivedUuid, isUuid } from "../../src/util/uuid.ts";

test("derivedUuid is a stable version-8 UUID of its parts", () => {
  const a = derivedUuid("job", "1");
  expect(isUuid(a)).toBe(true);
  expect(a[14]).toBe("8");
  expect(derivedUuid("job", "1")).toBe(a);
  expect(derivedUuid("job", "2")).not.toBe(a);
  expect(derivedUuid("jo", "b1")).not.toBe(derivedUuid("job", "1"));
});
