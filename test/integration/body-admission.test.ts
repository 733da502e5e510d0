import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { testDatabase } from "../support/test-database.ts";

// A real Bun.serve and a raw TCP client: the point is what happens on the socket.
let server: ServerProcess;
let port: number;
let token: string;
let dropScratch: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const db = await testDatabase();
  const scratch = db.adminUrl ? await db.createScratchDatabase() : undefined;
  dropScratch = scratch ? () => scratch.drop() : undefined;
  server = await startServer(
    {
      DATA_DIR: mkdtempSync(join(tmpdir(), "atelier-bodies-")),
      LOG_LEVEL: "info",
      BODY_GRACE_S: "1",
      BODY_MIN_BYTES_PER_S: "16384",
      MAX_BYTES_IN_FLIGHT_MB: "1",
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    },
    60_000,
  );
  port = Number(new URL(server.url).port);
  await Bun.sleep(100);
  token = /(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr())![1]!;
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await dropScratch?.();
});

/** Sends `head` and `body` on a fresh socket and keeps it open; resolves what arrives and when it closes. */
async function rawRequest(head: string, body: Uint8Array = new Uint8Array()) {
  let text = "";
  let onData: () => void = () => {};
  let closed: (at: number) => void = () => {};
  const closedAt = new Promise<number>((r) => (closed = r));
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, chunk) {
        text += new TextDecoder().decode(chunk);
        onData();
      },
      close() {
        closed(performance.now());
      },
      error() {
        closed(performance.now());
      },
    },
  });
  socket.write(head);
  if (body.byteLength > 0) socket.write(body);
  const response = (timeoutMs: number) =>
    new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve(text), timeoutMs);
      const check = () => {
        if (/\r\n\r\n/.test(text)) {
          clearTimeout(timer);
          resolve(text);
        }
      };
      onData = check;
      void closedAt.then(() => {
        clearTimeout(timer);
        resolve(text);
      });
      check();
    });
  return { socket, response, closedAt };
}

/** The start of a valid multipart body: one file part whose bytes go on past what is sent. */
const partBytes = (n: number) => {
  const start = new TextEncoder().encode('--atelier\r\nContent-Disposition: form-data; name="artwork"; filename="a.png"\r\n\r\n');
  const body = new Uint8Array(Math.max(n, start.length)).fill(32);
  body.set(start);
  return body;
};

// Multipart: JSON bodies have their own small cap (MAX_JSON_BODY_BYTES), refused before any of this.
const head = (length: number, auth = true) =>
  `POST /api/mockups HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=atelier\r\nContent-Length: ${length}\r\n` +
  `${auth ? `Authorization: Bearer ${token}\r\n` : ""}\r\n`;

test("an unauthenticated body is never read: 401 while the body is still unsent", async () => {
  const t0 = performance.now();
  const r = await rawRequest(head(100_000, false));
  const text = await r.response(3000);
  expect(text).toStartWith("HTTP/1.1 401");
  expect(performance.now() - t0).toBeLessThan(2000);
  r.socket.end();
});

test("a body that declares 100 KB and stops is cut after the grace with 408 body_timeout", async () => {
  const t0 = performance.now();
  const r = await rawRequest(head(100_000), partBytes(100));
  const text = await r.response(6000);
  const ms = performance.now() - t0;
  expect(text).toStartWith("HTTP/1.1 408");
  expect(text).toContain("body_timeout");
  expect(ms).toBeGreaterThan(900); // not before the grace
  expect(ms).toBeLessThan(3000);
  const closedMs = (await Promise.race([r.closedAt, Bun.sleep(3000).then(() => Infinity)])) - t0;
  expect(closedMs).toBeLessThan(4000); // and the socket is let go
  r.socket.end();
});

test("past the bytes-in-flight budget: 503 server_busy with Retry-After before the body is read", async () => {
  // Holds 800 KB of the 1 MB budget: it has sent half, well above the minimum rate for a while.
  const holder = await rawRequest(head(800_000), partBytes(400_000));
  await Bun.sleep(200);
  const t0 = performance.now();
  const second = await rawRequest(head(500_000));
  const text = await second.response(3000);
  expect(text).toStartWith("HTTP/1.1 503");
  expect(text.toLowerCase()).toContain("retry-after:");
  expect(text).toContain("server_busy");
  expect(performance.now() - t0).toBeLessThan(1000);
  holder.socket.end();
  second.socket.end();
  // Once the holder is gone its bytes are given back: a small body is admitted again.
  await Bun.sleep(300);
  const res = await fetch(`${server.url}/api/mockups`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ designId: "nope", templateIds: ["x"] }),
  });
  expect(res.status).not.toBe(503);
});
