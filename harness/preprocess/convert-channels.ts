/**
 * Channel conversion of HWC 8-bit pixels. RGB to gray is ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B,
 * rounded, computed exactly as Pillow's Image.convert('L') does (so that models trained on PIL images see the
 * same values): (R * 19595 + G * 38470 + B * 7471 + 32768) >> 16, the weights being 65536 x BT.601's (they
 * sum to 65536, so white stays 255). Gray to RGB repeats the value (Pillow's convert('RGB')).
 */

export function rgbToGray(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let p = 0, i = 0; p < pixels; p++, i += 3) {
    out[p] = (rgb[i] * 19595 + rgb[i + 1] * 38470 + rgb[i + 2] * 7471 + 0x8000) >> 16;
  }
  return out;
}

export function grayToRgb(gray: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, o = 0; p < pixels; p++, o += 3) {
    const v = gray[p];
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
  }
  return out;
}
