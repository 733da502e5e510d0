import type { MeshWarp } from "./warp-mesh.ts";

/** The PSD importer's settings, handed to its worker as workerData (workers never read the environment). */
export interface PsdWorkerData {
  maxSidePx: number;
  maxLayers: number;
  /** Pixel memory ag-psd may allocate for one document (its totalMemoryLimit). */
  maxDecodedBytes: number;
}

/** A visible smart-object layer, as Photoshop shows it, in background pixels. */
export interface ImportedPlacement {
  /** The layer's name (for messages and the placement id). */
  layer: string;
  /** TL, TR, BR, BL: the placed layer's transform, pixel edges. */
  corners: [[number, number], [number, number], [number, number], [number, number]];
  /** Photoshop's blend mode name (ag-psd's), e.g. "normal", "multiply", "screen". */
  blend: string;
  /** Layer opacity × fill opacity, 0..1. */
  opacity: number;
  /** File name of its mask (layer mask × vector mask) among `files`, if it has one. */
  mask?: string;
  /** The warp as a mesh; absent for a plain perspective. */
  warp?: MeshWarp;
  /** Why the layer's warp cannot be represented, when it cannot. */
  unsupportedWarp?: string;
  /** The content is not embedded (a linked file): no sample artwork from it. */
  contentMissing?: boolean;
}

/** Layers above the lowest smart object, flattened: drawn over the placements. */
export interface ImportedOverlay {
  /** The layers it holds, by name. */
  layers: string[];
  file: string;
  blend: string;
  opacity: number;
}

/** What the worker makes of a PSD: every file as PNG bytes, by name. */
export interface ImportedPsd {
  width: number;
  height: number;
  background: string;
  placements: ImportedPlacement[];
  overlays: ImportedOverlay[];
  /** The first placement's embedded content, as a PNG among `files`. */
  sample?: string;
  files: Record<string, Uint8Array>;
  /** 480-px JPEG: the background with the sample rendered into the placements. */
  preview: Uint8Array;
  /** What the import ignored (adjustment layers, effects, …), in plain words. */
  warnings: string[];
}

/** The worker's answer: an import, or a refusal with a stable code (never thrown across the thread). */
export type PsdImportOutcome =
  | { ok: true; psd: ImportedPsd }
  | { ok: false; status: 413 | 422; code: string; message: string; details?: unknown };
