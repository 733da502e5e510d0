import { crc32 } from "node:zlib";

/** One finished entry, for the central directory. */
interface Entry {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

const U32 = 0xffffffff;
const FLAGS = 0x0808; // sizes and CRC follow the data (bit 3); names are UTF-8 (bit 11)

/**
 * A ZIP archive written as it goes, every entry stored as it is (mockups are compressed images
 * already): a local header, the data in whatever chunks arrive (CRC and size counted on the way),
 * a data descriptor; the central directory at the end. Only the directory's small records are
 * kept, so memory does not grow with the archive's size. ZIP64 records are written when offsets
 * pass 4 GiB or there are more than 65,535 entries; one entry must stay under 4 GiB.
 */
export class ZipStreamWriter {
  private readonly entries: Entry[] = [];
  private offset = 0;
  private current: Entry | undefined;

  /** The local header of a new entry. */
  begin(name: string, when = new Date()): Uint8Array {
    if (this.current) throw new Error("the previous entry is not ended");
    const encoded = new TextEncoder().encode(name);
    const time = ((when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | (when.getUTCSeconds() >> 1)) & 0xffff;
    const date = (((Math.max(1980, when.getUTCFullYear()) - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate()) & 0xffff;
    this.current = { name: encoded, crc: 0, size: 0, offset: this.offset, time, date };
    const h = new DataView(new ArrayBuffer(30));
    h.setUint32(0, 0x04034b50, true);
    h.setUint16(4, 20, true);
    h.setUint16(6, FLAGS, true);
    h.setUint16(8, 0, true); // stored
    h.setUint16(10, time, true);
    h.setUint16(12, date, true);
    // CRC and sizes (14..25) are zero: the data descriptor carries them.
    h.setUint16(26, encoded.length, true);
    h.setUint16(28, 0, true);
    return this.count(concat(new Uint8Array(h.buffer), encoded));
  }

  /** A chunk of the current entry's data, passed through. */
  data(chunk: Uint8Array): Uint8Array {
    const e = this.current;
    if (!e) throw new Error("no entry begun");
    e.crc = crc32(chunk, e.crc);
    e.size += chunk.length;
    if (e.size >= U32) throw new Error("a ZIP entry of 4 GiB or more is not supported");
    return this.count(chunk);
  }

  /** The current entry's data descriptor. */
  end(): Uint8Array {
    const e = this.current;
    if (!e) throw new Error("no entry begun");
    this.current = undefined;
    this.entries.push(e);
    const d = new DataView(new ArrayBuffer(16));
    d.setUint32(0, 0x08074b50, true);
    d.setUint32(4, e.crc, true);
    d.setUint32(8, e.size, true);
    d.setUint32(12, e.size, true);
    return this.count(new Uint8Array(d.buffer));
  }

  /** The central directory and its end records; nothing may follow. */
  finish(): Uint8Array {
    if (this.current) throw new Error("the last entry is not ended");
    const parts: Uint8Array[] = [];
    const start = this.offset;
    for (const e of this.entries) {
      const far = e.offset >= U32;
      const c = new DataView(new ArrayBuffer(46));
      c.setUint32(0, 0x02014b50, true);
      c.setUint16(4, 45, true); // made by: ZIP 4.5 (ZIP64)
      c.setUint16(6, far ? 45 : 20, true);
      c.setUint16(8, FLAGS, true);
      c.setUint16(10, 0, true);
      c.setUint16(12, e.time, true);
      c.setUint16(14, e.date, true);
      c.setUint32(16, e.crc, true);
      c.setUint32(20, e.size, true);
      c.setUint32(24, e.size, true);
      c.setUint16(28, e.name.length, true);
      c.setUint16(30, far ? 12 : 0, true);
      c.setUint32(42, far ? U32 : e.offset, true);
      parts.push(new Uint8Array(c.buffer), e.name);
      if (far) {
        const x = new DataView(new ArrayBuffer(12));
        x.setUint16(0, 0x0001, true);
        x.setUint16(2, 8, true);
        x.setBigUint64(4, BigInt(e.offset), true);
        parts.push(new Uint8Array(x.buffer));
      }
    }
    const size = parts.reduce((n, p) => n + p.length, 0);
    const zip64 = start >= U32 || size >= U32 || this.entries.length > 0xffff;
    if (zip64) {
      const r = new DataView(new ArrayBuffer(56 + 20));
      r.setUint32(0, 0x06064b50, true);
      r.setBigUint64(4, 44n, true);
      r.setUint16(12, 45, true);
      r.setUint16(14, 45, true);
      r.setBigUint64(24, BigInt(this.entries.length), true);
      r.setBigUint64(32, BigInt(this.entries.length), true);
      r.setBigUint64(40, BigInt(size), true);
      r.setBigUint64(48, BigInt(start), true);
      r.setUint32(56, 0x07064b50, true); // locator
      r.setBigUint64(64, BigInt(start + size), true);
      r.setUint32(72, 1, true);
      parts.push(new Uint8Array(r.buffer));
    }
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, zip64 ? 0xffff : this.entries.length, true);
    end.setUint16(10, zip64 ? 0xffff : this.entries.length, true);
    end.setUint32(12, zip64 ? U32 : size, true);
    end.setUint32(16, zip64 ? U32 : start, true);
    parts.push(new Uint8Array(end.buffer));
    return this.count(concat(...parts));
  }

  private count(bytes: Uint8Array): Uint8Array {
    this.offset += bytes.length;
    return bytes;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
