import { expect, test } from "bun:test";

const ROOT = new URL("../../", import.meta.url).pathname;

// The browser code is its own TypeScript program (DOM types instead of Bun's), which the root
// `tsc -p .` leaves out; this keeps it checked by the suite.
test("the web app's client code type-checks", async () => {
  const tsc = Bun.spawn([`${ROOT}node_modules/.bin/tsc`, "--noEmit", "--listFiles", "-p", "src/web/client"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(tsc.stdout).text(), new Response(tsc.stderr).text(), tsc.exited]);
  if (code !== 0) throw new Error(`tsc -p src/web/client failed:\n${out}${err}`);
  expect(code).toBe(0);
  // A clean run over no files proves nothing: the client's own modules and the DOM types were checked.
  const checked = out.split("\n");
  expect(checked.some((f) => f.endsWith("src/web/client/main.ts"))).toBe(true);
  expect(checked.some((f) => f.endsWith("src/web/client/templates-panel.ts"))).toBe(true);
  expect(checked.some((f) => f.endsWith("lib.dom.d.ts"))).toBe(true);
}, 60_000);
