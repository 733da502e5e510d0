import { expect, test } from "bun:test";

const ROOT = new URL("../../", import.meta.url).pathname;

// The browser code is its own TypeScript program (DOM types instead of Bun's), which the root
// `tsc -p .` leaves out; this keeps it checked by the suite.
test("the web app's client code type-checks", async () => {
  const tsc = Bun.spawn([`${ROOT}node_modules/.bin/tsc`, "--noEmit", "-p", "src/web/client"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(tsc.stdout).text(), new Response(tsc.stderr).text(), tsc.exited]);
  if (code !== 0) throw new Error(`tsc -p src/web/client failed:\n${out}${err}`);
  expect(code).toBe(0);
}, 60_000);
