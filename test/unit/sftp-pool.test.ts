import { expect, test } from "bun:test";
import { SftpPool, SftpPoolClosedError, SftpPoolFullError, type Poolable } from "../../src/storage/sftp-pool.ts";

class FakeConnection implements Poolable {
  static opened = 0;
  readonly id = ++FakeConnection.opened;
  broken = false;
  ended = false;
  probes = 0;
  probeFails = false;
  lastUsed = Date.now();
  onBroken?: () => void;
  async probe() {
    this.probes++;
    if (this.probeFails) throw new Error("dead");
  }
  async end() {
    this.ended = true;
  }
  breakNow() {
    this.broken = true;
    this.onBroken?.();
  }
}

function pool(overrides: Partial<ConstructorParameters<typeof SftpPool<FakeConnection>>[0]> = {}) {
  const made: FakeConnection[] = [];
  const p = new SftpPool<FakeConnection>({
    open: async () => {
      const c = new FakeConnection();
      made.push(c);
      return c;
    },
    max: 2,
    idleCloseMs: 60_000,
    maxQueued: 10,
    probeAfterMs: 60_000,
    ...overrides,
  });
  return { p, made };
}

test("opens up to max connections, then reuses them; waiters are served first come, first served", async () => {
  const { p, made } = pool();
  const a = await p.acquire();
  const b = await p.acquire();
  expect(made.length).toBe(2);
  const order: string[] = [];
  const w1 = p.acquire().then((c) => (order.push("w1"), c));
  const w2 = p.acquire().then((c) => (order.push("w2"), c));
  const w3 = p.acquire().then((c) => (order.push("w3"), c));
  expect(p.stats()).toMatchObject({ open: 2, busy: 2, waiting: 3 });
  p.release(b);
  expect(await w1).toBe(b);
  p.release(a);
  expect(await w2).toBe(a);
  p.release(b);
  expect(await w3).toBe(b);
  expect(order).toEqual(["w1", "w2", "w3"]);
  expect(made.length).toBe(2);
  expect(p.stats()).toMatchObject({ created: 2, busy: 2, waiting: 0 });
});

test("the wait queue is bounded", async () => {
  const { p } = pool({ max: 1, maxQueued: 2 });
  await p.acquire();
  void p.acquire();
  void p.acquire();
  await expect(p.acquire()).rejects.toBeInstanceOf(SftpPoolFullError);
});

test("a connection that broke while busy is replaced; its slot goes to a waiter", async () => {
  const { p, made } = pool({ max: 1 });
  const a = await p.acquire();
  const waiting = p.acquire();
  a.breakNow();
  p.release(a);
  const b = await waiting;
  expect(b).not.toBe(a);
  expect(a.ended).toBe(true);
  expect(made.length).toBe(2);
  expect(p.stats()).toMatchObject({ open: 1, created: 2 });
});

test("a connection that breaks while idle is dropped at once", async () => {
  const { p } = pool();
  const a = await p.acquire();
  p.release(a);
  expect(p.stats()).toMatchObject({ open: 1, idle: 1 });
  a.breakNow();
  expect(p.stats()).toMatchObject({ open: 0, idle: 0 });
  expect(await p.acquire()).not.toBe(a);
});

test("a connection idle longer than probeAfterMs is probed, and replaced if the probe fails", async () => {
  const { p } = pool({ probeAfterMs: 10 });
  const a = await p.acquire();
  p.release(a);
  a.lastUsed -= 20;
  expect(await p.acquire()).toBe(a);
  expect(a.probes).toBe(1);
  p.release(a);
  a.lastUsed -= 20;
  a.probeFails = true;
  const b = await p.acquire();
  expect(b).not.toBe(a);
  expect(a.ended).toBe(true);
  expect(p.stats()).toMatchObject({ open: 1, busy: 1 });
});

test("idle connections close after idleCloseMs", async () => {
  const { p } = pool({ idleCloseMs: 30 });
  const a = await p.acquire();
  const b = await p.acquire();
  p.release(a);
  p.release(b);
  expect(p.stats().idle).toBe(2);
  await Bun.sleep(60);
  expect(p.stats()).toMatchObject({ open: 0, idle: 0 });
  expect(a.ended && b.ended).toBe(true);
});

test("a failed open frees its slot and reaches the caller", async () => {
  let fail = true;
  const p = new SftpPool<FakeConnection>({
    open: async () => {
      if (fail) throw new Error("refused");
      return new FakeConnection();
    },
    max: 1,
    idleCloseMs: 60_000,
    maxQueued: 10,
    probeAfterMs: 60_000,
  });
  await expect(p.acquire()).rejects.toThrow("refused");
  expect(p.stats().open).toBe(0);
  fail = false;
  await p.acquire();
  expect(p.stats()).toMatchObject({ open: 1, created: 1 });
});

test("close fails waiters and ends every connection", async () => {
  const { p } = pool({ max: 1 });
  const a = await p.acquire();
  const waiting = p.acquire();
  await p.close();
  await expect(waiting).rejects.toBeInstanceOf(SftpPoolClosedError);
  expect(a.ended).toBe(true);
  p.release(a);
  expect(p.stats().open).toBe(0);
  await expect(p.acquire()).rejects.toBeInstanceOf(SftpPoolClosedError);
});
