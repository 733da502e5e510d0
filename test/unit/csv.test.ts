import { expect, test } from "bun:test";
import { parseCsv } from "../../src/util/csv.ts";

test("parseCsv: quotes, doubled quotes, CRLF, blank lines", () => {
  expect(parseCsv('a,"b,c","say ""hi"""\r\n\r\nx,y,z\n')).toEqual([
    ["a", "b,c", 'say "hi"'],
    ["x", "y", "z"],
  ]);
});
