/** One Server-Sent Event: its type ("message" when unnamed), its data, and its id if it had one. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Reads a `text/event-stream` body as events while it arrives, by the WHATWG rules: lines end with
 * CRLF, LF or CR; `:` starts a comment (keep-alive pings); `data` lines join with newlines; an
 * empty line ends an event. EventSource would do this, but it cannot send an Authorization header.
 */
export class SseReader implements AsyncIterable<SseMessage> {
  /** When bytes last arrived (events or pings), from performance.now(): a stalled stream is seen by this. */
  lastActivity = performance.now();
  private readonly reader: ReadableStreamDefaultReader<string>;
  private events: AsyncGenerator<SseMessage> | undefined;

  constructor(body: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Stops reading and releases the connection; iteration ends. */
  cancel(): void {
    this.reader.cancel().catch(() => {});
  }

  /** The next event, or undefined at the end of the stream. */
  async next(): Promise<SseMessage | undefined> {
    const r = await this[Symbol.asyncIterator]().next();
    return r.done ? undefined : r.value;
  }

  /** The events; one parse for the whole stream, so `next()` and `for await` can take turns. */
  [Symbol.asyncIterator](): AsyncGenerator<SseMessage> {
    this.events ??= this.parse();
    return this.events;
  }

  private async *parse(): AsyncGenerator<SseMessage> {
    let buffer = "";
    let event = "";
    let id: string | undefined;
    let data: string[] = [];
    /** The next complete line of the buffer, without its end; undefined until one is complete. */
    const takeLine = (): string | undefined => {
      const end = buffer.search(/[\r\n]/);
      if (end < 0) return undefined;
      // A CR at the end of what has arrived may be the first half of a CRLF.
      if (buffer[end] === "\r" && end === buffer.length - 1) return undefined;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(buffer[end] === "\r" && buffer[end + 1] === "\n" ? end + 2 : end + 1);
      return line;
    };
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) return;
        this.lastActivity = performance.now();
        buffer += value;
        for (let line = takeLine(); line !== undefined; line = takeLine()) {
          if (line === "") {
            if (data.length > 0) yield { event: event || "message", data: data.join("\n"), id };
            event = "";
            id = undefined;
            data = [];
            continue;
          }
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? "" : line.slice(colon + 1);
          if (value.startsWith(" ")) value = value.slice(1);
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
          else if (field === "id" && !value.includes("\0")) id = value;
        }
      }
    } finally {
      this.cancel();
    }
  }
}
