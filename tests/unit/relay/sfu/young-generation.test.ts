import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { freezeYoungGeneration } from '../../../../relay/sfu/young-generation';

const newSpaceBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

describe('freezeYoungGeneration', () => {
  it('leaves a semi-space flag given to node alone', () => {
    expect(freezeYoungGeneration(['--max-semi-space-size=8'], '')).toBeNull();
    expect(freezeYoungGeneration([], '--inspect --semi-space-growth-factor=2')).toBeNull();
  });

  it('keeps the new space from growing under a flood of short-lived Buffers (what every packet is)', () => {
    expect(freezeYoungGeneration([], '--max-old-space-size=4096')).toBe('--semi-space-growth-factor=1');
    const before = newSpaceBytes();
    let live: Buffer[] = [];
    for (let i = 0; i < 300_000; i++) {
      live.push(Buffer.alloc(1200));
      if (live.length > 2_000) live = live.slice(1_000);
    }
    expect(newSpaceBytes()).toBe(before);
  });
});
