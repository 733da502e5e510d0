import { fileRejected, type AppError } from "../../errors.ts";

/** What the first bytes of a Photoshop file say, read without parsing a layer. */
export interface PsdHeader {
  /** 1: PSD, 2: PSB (large document format). */
  version: 1 | 2;
  channels: number;
  width: number;
  height: number;
  bitsPerChannel: number;
  /** Photoshop's colour mode number (3 = RGB). */
  colorMode: number;
  /** Layer records, group markers included; undefined when the file has no layer section. */
  layerCount: number | undefined;
}

export interface PsdLimits {
  maxSidePx: number;
  maxLayers: number;
}

const COLOR_MODES: Record<number, string> = { 0: "bitmap", 1: "greyscale", 2: "indexed colour", 4: "CMYK", 7: "multichannel", 8: "duotone", 9: "Lab" };

/**
 * Reads the 26-byte header and the layer count (found by skipping the colour-mode data and the
 * image resources by their lengths) so a file can be judged before anything is decoded.
 * Throws 422 `corrupt_psd` for what is not a Photoshop file.
 */
export function readPsdHeader(bytes: Uint8Array): PsdHeader {
  if (bytes.length < 26) throw corruptPsd("The file is too short to be a Photoshop document.");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== 0x38425053) throw corruptPsd("The file is not a Photoshop document (no 8BPS signature).");
  const version = view.getUint16(4);
  if (version !== 1 && version !== 2) throw corruptPsd(`Unknown Photoshop file version ${version}.`);
  const header = {
    version: version as 1 | 2,
    channels: view.getUint16(12),
    height: view.getUint32(14),
    width: view.getUint32(18),
    bitsPerChannel: view.getUint16(22),
    colorMode: view.getUint16(24),
  };
  if (header.width < 1 || header.height < 1) throw corruptPsd(`The document says it is ${header.width}×${header.height} pixels.`);
  return { ...header, layerCount: layerCount(view, version === 2) };
}

// Section lengths are checked against the file: a truncated file is refused here, not deep in the parser.
function layerCount(view: DataView, large: boolean): number | undefined {
  let at = 26;
  const need = (n: number) => {
    if (at + n > view.byteLength) throw corruptPsd("The file ends before its layers (it is truncated).");
  };
  for (let section = 0; section < 2; section++) {
    need(4);
    at += 4 + view.getUint32(at); // colour-mode data, then image resources
  }
  need(large ? 8 : 4);
  const layerAndMask = large ? Number(view.getBigUint64(at)) : view.getUint32(at);
  at += large ? 8 : 4;
  if (layerAndMask === 0) return undefined;
  // Also what a PSD marked as a PSB (or the reverse) looks like: lengths read at the wrong width.
  if (layerAndMask > view.byteLength - at) throw corruptPsd("The layer section is longer than the file: it is truncated, or damaged (a PSD marked as a PSB?).");
  need(large ? 8 : 4);
  const layerInfo = large ? Number(view.getBigUint64(at)) : view.getUint32(at);
  at += large ? 8 : 4;
  if (layerInfo === 0) return 0;
  need(2);
  return Math.abs(view.getInt16(at)); // negative: the first alpha channel holds the merged transparency
}

/**
 * What this importer refuses from the header alone: 422 `unsupported_psd` (colour mode, depth),
 * `psd_too_large` (sides), `too_many_layers`; undefined when the file may be parsed.
 */
export function headerProblem(h: PsdHeader, limits: PsdLimits): AppError | undefined {
  if (h.colorMode !== 3) {
    const mode = COLOR_MODES[h.colorMode] ?? `colour mode ${h.colorMode}`;
    return unsupportedPsd(`The document is in ${mode}; only RGB documents can be imported. In Photoshop: Image › Mode › RGB Color.`, "color_mode");
  }
  if (h.bitsPerChannel !== 8) {
    return unsupportedPsd(`The document has ${h.bitsPerChannel} bits per channel; only 8-bit documents can be imported. In Photoshop: Image › Mode › 8 Bits/Channel.`, "bit_depth");
  }
  if (h.width > limits.maxSidePx || h.height > limits.maxSidePx) {
    return fileRejected("psd_too_large", `The document is ${h.width}×${h.height} pixels; at most ${limits.maxSidePx} pixels per side can be imported.`, {
      width: h.width,
      height: h.height,
      maxSidePx: limits.maxSidePx,
    });
  }
  if (h.layerCount !== undefined && h.layerCount > limits.maxLayers) {
    return fileRejected("too_many_layers", `The document has ${h.layerCount} layers (groups count twice); at most ${limits.maxLayers} can be imported.`, {
      layers: h.layerCount,
      maxLayers: limits.maxLayers,
    });
  }
  return undefined;
}

export const corruptPsd = (message: string) => fileRejected("corrupt_psd", message);
export const unsupportedPsd = (message: string, reason: string) => fileRejected("unsupported_psd", message, { reason });
