import type { Socket } from "bun";

/** A loopback TCP proxy in front of one target, for counting connections and adding latency. */
export interface TcpProxy {
  host: string;
  port: number;
  /** Connections accepted since the start (or the last `resetCounts`). */
  readonly accepted: number;
  /** Connections open right now. */
  readonly open: number;
  /** Most connections open at the same time since the start (or the last `resetCounts`). */
  readonly peakOpen: number;
  resetCounts(): void;
  /** Stops forwarding without closing anything, as a network that silently drops packets. */
  blackhole(on: boolean): void;
  /** Closes the listener and every connection. */
  close(): void;
}

export interface TcpProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Added to every chunk in each direction, so a round trip costs twice this. Default 0. */
  latencyMs?: number;
}

/** One direction of a proxied connection: chunks wait for their due time, then for the socket. */
class Pipe {
  private readonly queue: Array<{ due: number; data: Uint8Array }> = [];
  private timer: Timer | undefined;
  to: Socket<unknown> | undefined;
  held = false;

  constructor(private readonly latencyMs: number) {}

  push(data: Uint8Array): void {
    // Kept without a copy: Bun hands each data callback a fresh buffer.
    this.queue.push({ due: performance.now() + this.latencyMs, data });
    this.pump();
  }

  pump(): void {
    if (this.timer || !this.to || this.held) return;
    while (this.queue.length) {
      const head = this.queue[0]!;
      const wait = head.due - performance.now();
      if (wait > 0.5) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const written = this.to.write(head.data);
      if (written < head.data.length) {
        head.data = head.data.subarray(Math.max(written, 0));
        return; // the socket's drain handler pumps again
      }
      this.queue.shift();
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

interface Link {
  up: Pipe; // client → target
  down: Pipe; // target → client
  client: Socket<Link>;
  target?: Socket<Link>;
  closed: boolean;
}

/** Starts a proxy on 127.0.0.1 and a free port; closing either side closes the other. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const latency = options.latencyMs ?? 0;
  const links = new Set<Link>();
  let accepted = 0;
  let peakOpen = 0;
  let holding = false;

  const shut = (link: Link) => {
    if (link.closed) return;
    link.closed = true;
    links.delete(link);
    link.up.stop();
    link.down.stop();
    link.client.end();
    link.target?.end();
  };

  const listener = Bun.listen<Link>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        accepted++;
        const link: Link = { up: new Pipe(latency), down: new Pipe(latency), client, closed: false };
        link.up.held = link.down.held = holding;
        link.down.to = client as Socket<unknown>;
        client.data = link;
        links.add(link);
        peakOpen = Math.max(peakOpen, links.size);
        Bun.connect<Link>({
          hostname: options.targetHost,
          port: options.targetPort,
          data: link,
          socket: {
            open(target) {
              link.target = target;
              link.up.to = target as Socket<unknown>;
              if (link.closed) target.end();
              else link.up.pump();
            },
            data: (_target, data) => link.down.push(data),
            drain: () => link.up.pump(),
            close: () => shut(link),
            error: () => shut(link),
            connectError: () => shut(link),
          },
        }).catch(() => shut(link));
      },
      data: (client, data) => client.data.up.push(data),
      drain: (client) => client.data.down.pump(),
      close: (client) => shut(client.data),
      error: (client) => shut(client.data),
    },
  });

  return {
    host: "127.0.0.1",
    port: listener.port,
    get accepted() {
      return accepted;
    },
    get open() {
      return links.size;
    },
    get peakOpen() {
      return peakOpen;
    },
    resetCounts() {
      accepted = 0;
      peakOpen = links.size;
    },
    blackhole(on) {
      holding = on;
      for (const link of links) {
        link.up.held = link.down.held = on;
        if (!on) {
          link.up.pump();
          link.down.pump();
        }
      }
    },
    close() {
      listener.stop(true);
      for (const link of [...links]) shut(link);
    },
  };
}

/** A proxy running in a child process, so its copying does not share a thread with the code it measures. */
export interface SpawnedTcpProxy {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts `startTcpProxy` in a child Bun process (benches); it exits with its parent. */
export async function spawnTcpProxy(options: TcpProxyOptions): Promise<SpawnedTcpProxy> {
  const proc = Bun.spawn(
    [process.execPath, import.meta.path, options.targetHost, String(options.targetPort), String(options.latencyMs ?? 0)],
    { stdin: "pipe", stdout: "pipe", stderr: "inherit" },
  );
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`tcp proxy exited with ${await proc.exited}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    host: "127.0.0.1",
    port: Number(text.trim()),
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}

// Child mode for spawnTcpProxy: `bun tcp-proxy.ts <targetHost> <targetPort> <latencyMs>`.
if (import.meta.main) {
  const [targetHost = "127.0.0.1", targetPort = "22", latencyMs = "0"] = process.argv.slice(2);
  const p = await startTcpProxy({ targetHost, targetPort: Number(targetPort), latencyMs: Number(latencyMs) });
  process.stdout.write(`${p.port}\n`);
  // Exit when the parent goes away (its end of stdin closes), even if it never called stop().
  for await (const _ of Bun.stdin.stream()) {
    // nothing is sent on stdin
  }
  p.close();
  process.exit(0);
}
