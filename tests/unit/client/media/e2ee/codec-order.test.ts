import { describe, expect, it } from 'vitest';
import { vp8First } from '../../../../../client/src/media/e2ee/codec-order';

describe('vp8First', () => {
  it('moves every VP8 entry to the front and keeps the rest in the browser’s order (Safari lists H.264 first)', () => {
    const safari = ['video/H264', 'video/H264', 'video/VP8', 'video/rtx', 'video/VP9', 'video/red'].map((mimeType, i) => ({ mimeType, i }));
    expect(vp8First(safari).map((c) => `${c.mimeType}#${c.i}`)).toEqual(['video/VP8#2', 'video/H264#0', 'video/H264#1', 'video/rtx#3', 'video/VP9#4', 'video/red#5']);
  });

  it('leaves a list without VP8 as it was', () => {
    expect(vp8First([{ mimeType: 'video/H264' }, { mimeType: 'video/rtx' }])).toEqual([{ mimeType: 'video/H264' }, { mimeType: 'video/rtx' }]);
  });
});
