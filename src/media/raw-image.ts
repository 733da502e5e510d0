/** Decoded 8-bit sRGB pixels, interleaved, with alpha last when there are 4 channels. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** sharp's description of a RawImage, for feeding it back in. */
export const rawInput = (img: RawImage) => ({
  raw: { width: img.width, height: img.height, channels: img.channels },
});
