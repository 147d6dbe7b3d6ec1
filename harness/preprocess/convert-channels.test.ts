import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { grayToRgb, rgbToGray } from './convert-channels.js';

/** Pillow's Image.convert('L'), written by test/fixtures/datasets/make-preprocess-fixtures.py. */
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/datasets/rgb-to-gray.json', import.meta.url), 'utf8')) as {
  rgb: number[];
  gray: number[];
};

describe('rgbToGray', () => {
  it("equals Pillow's convert('L') (BT.601 luma) on every gray level and random colours", () => {
    const gray = rgbToGray(Uint8Array.from(fixture.rgb), fixture.gray.length);
    expect(Array.from(gray)).toEqual(fixture.gray);
  });
});

describe('grayToRgb', () => {
  it('repeats the value', () => {
    expect(Array.from(grayToRgb(Uint8Array.of(0, 7, 255), 3))).toEqual([0, 0, 0, 7, 7, 7, 255, 255, 255]);
  });
});
