/** What the pool needs from a connection. */
export interface Poolable {
  readonly broken: boolean;
  /** When it last finished an operation (ms since the epoch). */
  lastUsed: number;
  /** One round trip; rejects if the connection is dead. */
  probe(): Promise<void>;
  end(): Promise<void>;
  /** Set by the pool; the connection calls it when it breaks, so an idle one is dropped at once. */
  onBroken?: () => void;
}

export interface SftpPoolOptions<C extends Poolable> {
  /** Opens a new connection; its errors reach the caller of `acquire`. */
  open: () => Promise<C>;
  /** Connections open or opening at once. */
  max: number;
  /** An idle connection is closed after this long. */
  idleCloseMs: number;
  /** Callers that may wait for a connection; past that, `acquire` fails at once. */
  maxQueued: number;
  /** A connection idle longer than this is probed before it is handed out. */
  probeAfterMs: number;
}

/** Counts for metrics. */
export interface SftpPoolStats {
  /** Connections open or being opened. */
  open: number;
  busy: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** Connections opened successfully since the start. */
  created: number;
}

/** `acquire` found the wait queue full. */
export class SftpPoolFullError extends Error {
  constructor(max: number) {
    super(`SFTP pool: ${max} callers already waiting for a connection`);
    this.name = "SftpPoolFullError";
  }
}

/** `acquire` was called, or was waiting, when the pool closed. */
export class SftpPoolClosedError extends Error {
  constructor() {
    super("SFTP pool is closed");
    this.name = "SftpPoolClosedError";
  }
}

// A waiter is granted either an idle connection or a free slot in which to open one.
type Grant<C> = { conn: C } | { slot: true };
interface Waiter<C> {
  grant(g: Grant<C>): void;
  fail(err: Error): void;
}

/**
 * Up to `max` connections, each used by one caller at a time, reused across calls (most recently
 * used first, so surplus ones go idle and close). Callers queue in FIFO order when all are busy,
 * at most `maxQueued` of them; a connection is checked before it is handed out and replaced
 * when it broke. There is no wait timeout: every operation has its own deadline, so busy
 * connections always come back.
 */
export class SftpPool<C extends Poolable> {
  private slots = 0; // connections open or opening; never above max
  private created = 0;
  private readonly idle: C[] = [];
  private readonly busy = new Set<C>();
  private readonly waiters: Array<Waiter<C>> = [];
  private readonly idleTimers = new Map<C, Timer>();
  private closed = false;

  constructor(private readonly options: SftpPoolOptions<C>) {
    if (!(options.max >= 1)) throw new Error("SFTP pool needs at least one connection");
  }

  /** A working connection for the caller alone; give it back with `release`. */
  async acquire(): Promise<C> {
    let grant = this.take();
    if (!grant) {
      if (this.closed) throw new SftpPoolClosedError();
      if (this.waiters.length >= this.options.maxQueued) throw new SftpPoolFullError(this.options.maxQueued);
      grant = await new Promise<Grant<C>>((grant, fail) => this.waiters.push({ grant, fail }));
    }
    // From here the caller owns a slot: an idle connection, or room to open one.
    if ("conn" in grant) {
      const conn = grant.conn;
      if (await this.usable(conn)) {
        this.busy.add(conn);
        return conn;
      }
      void conn.end().catch(() => {}); // its slot is reused below for a fresh connection
    }
    return this.openInSlot();
  }

  /** Gives a connection back; a broken one is closed and its slot freed for a new one. */
  release(conn: C): void {
    if (!this.busy.delete(conn)) return;
    conn.lastUsed = Date.now();
    if (conn.broken || this.closed) {
      this.slots--;
      void conn.end().catch(() => {});
      this.wake();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.grant({ conn });
      return;
    }
    this.idle.push(conn);
    const timer = setTimeout(() => this.closeIdle(conn), this.options.idleCloseMs);
    timer.unref(); // idle connections must not keep the process alive
    this.idleTimers.set(conn, timer);
  }

  /** Counts for metrics. */
  stats(): SftpPoolStats {
    return { open: this.slots, busy: this.busy.size, idle: this.idle.length, waiting: this.waiters.length, created: this.created };
  }

  /** Fails the waiters and ends every connection, busy ones included. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.fail(new SftpPoolClosedError());
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    const idle = this.idle.splice(0);
    this.slots -= idle.length; // busy ones give their slot back in release()
    await Promise.all([...idle, ...this.busy].map((c) => c.end().catch(() => {})));
  }

  private take(): Grant<C> | undefined {
    if (this.closed) return undefined;
    const conn = this.idle.pop();
    if (conn) {
      clearTimeout(this.idleTimers.get(conn));
      this.idleTimers.delete(conn);
      return { conn };
    }
    if (this.slots < this.options.max) {
      this.slots++;
      return { slot: true };
    }
    return undefined;
  }

  private wake(): void {
    while (this.waiters.length) {
      const grant = this.take();
      if (!grant) return;
      this.waiters.shift()!.grant(grant);
    }
  }

  private async usable(conn: C): Promise<boolean> {
    if (conn.broken) return false;
    if (Date.now() - conn.lastUsed < this.options.probeAfterMs) return true;
    return conn.probe().then(
      () => !conn.broken,
      () => false,
    );
  }

  private async openInSlot(): Promise<C> {
    try {
      const conn = await this.options.open();
      this.created++;
      conn.onBroken = () => this.closeIdle(conn);
      if (this.closed) {
        this.slots--;
        await conn.end().catch(() => {});
        throw new SftpPoolClosedError();
      }
      this.busy.add(conn);
      return conn;
    } catch (err) {
      if (!(err instanceof SftpPoolClosedError)) {
        this.slots--;
        this.wake();
      }
      throw err;
    }
  }

  // Closes `conn` if it is idle (timer expired, or it broke while idle); busy ones come back through release().
  private closeIdle(conn: C): void {
    clearTimeout(this.idleTimers.get(conn));
    this.idleTimers.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i < 0) return;
    this.idle.splice(i, 1);
    this.slots--;
    void conn.end().catch(() => {});
    this.wake();
  }
}
