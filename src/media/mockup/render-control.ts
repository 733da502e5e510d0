/**
 * How the main thread and the render worker talk about stopping renders and memory, besides
 * Piscina's task channel. Types and names only: both sides import this.
 */

/** Main thread → worker: stop a render at its next step; forget a replaced template's layers. */
export const RENDER_CONTROL_CHANNEL = "atelier-render-control";
/** Worker → main thread: what the render thread holds, several times a second while it renders. */
export const RENDER_MEMORY_CHANNEL = "atelier-render-memory";

/** Why a render is asked to stop: its caller gave up, or the thread is over its memory limit. */
export type StopReason = "cancel" | "memory";

export interface StopMessage {
  type: "stop";
  taskId: string;
  why: StopReason;
}

/** Main thread → worker: the template in this folder was replaced or deleted; drop its decoded layers. */
export interface ForgetTemplateMessage {
  type: "forget-template";
  dir: string;
}

/** Main thread → worker: the artwork of this key will not be rendered again; drop what was made of it. */
export interface ForgetArtworkMessage {
  type: "forget-artwork";
  key: string;
}

/** The render thread's memory as it accounts for it. */
export interface ThreadMemorySample {
  threadId: number;
  /** The render running now, if any. */
  taskId: string | undefined;
  /** The thread's own JavaScript heap. */
  heapBytes: number;
  /** Buffers it keeps between renders: template layers, fitted artwork, the frame. */
  cachedBytes: number;
  /** What the running render holds at its peak, estimated from its manifest (render-cost.ts). */
  renderBytes: number;
}

export const sampleTotal = (s: ThreadMemorySample): number => s.heapBytes + s.cachedBytes + s.renderBytes;

/** One render as the pool sends it: the task, its id for stopping it, and the thread's budget. */
export interface RenderRequest<T> {
  taskId: string;
  task: T;
  /** renderMemoryBytes(task.manifest). */
  estimateBytes: number;
  /** RENDER_THREAD_MEMORY_MB in bytes. */
  limitBytes: number;
}

/** The worker's answer when a render stopped at a step (instead of a result). */
export interface RenderStoppedAnswer {
  stopped: StopReason | "too_large";
}
