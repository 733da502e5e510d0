import { readFileSync } from "node:fs";

const PAGE = 65536;
const MAX_BYTES = 4 * 1024 * 1024 * 1024 - PAGE;

/**
 * Instantiates a hand-written kernel module shipped next to the code and returns its exports,
 * or null when it cannot run here (engines without SIMD128 reject such modules at compile time).
 */
export function instantiateKernel(url: URL): (Record<string, unknown> & { memory: WebAssembly.Memory }) | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(url)), {});
    const e = instance.exports as Record<string, unknown>;
    return e.memory instanceof WebAssembly.Memory ? (e as Record<string, unknown> & { memory: WebAssembly.Memory }) : null;
  } catch {
    return null;
  }
}

/** Grows `memory` to at least `bytes`; false when that is impossible. */
export function ensureWasmMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  if (bytes > MAX_BYTES) return false;
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

/** Rounds up to a multiple of 16, the alignment SIMD loads like. */
export const align16 = (n: number): number => Math.ceil(n / 16) * 16;
