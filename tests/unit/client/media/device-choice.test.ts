import { describe, expect, it } from 'vitest';
import { effectiveChoice, optionsByKind } from '../../../../client/src/media/device-choice';

describe('device lists', () => {
  it('groups by kind in the browser’s order, without duplicates', () => {
    const lists = optionsByKind([
      { kind: 'audioinput', deviceId: 'default', label: 'Default' },
      { kind: 'videoinput', deviceId: 'cam1', label: 'Front camera' },
      { kind: 'audioinput', deviceId: 'mic2', label: 'Headset' },
      { kind: 'audioinput', deviceId: 'mic2', label: 'Headset' },
      { kind: 'audiooutput', deviceId: 'default', label: 'Speakers' },
    ]);
    expect(lists.audioinput.map((o) => o.label)).toEqual(['Default', 'Headset']);
    expect(lists.videoinput).toEqual([{ id: 'cam1', label: 'Front camera' }]);
    expect(lists.audiooutput).toHaveLength(1);
  });

  it('numbers devices the browser does not name yet (no permission)', () => {
    const lists = optionsByKind([
      { kind: 'videoinput', deviceId: 'a', label: '' },
      { kind: 'videoinput', deviceId: 'b', label: '' },
    ]);
    expect(lists.videoinput.map((o) => o.label)).toEqual(['Camera 1', 'Camera 2']);
  });
});

describe('the device in use', () => {
  const options = [
    { id: 'default', label: 'Default' },
    { id: 'usb', label: 'USB camera' },
  ];
  it('is the stored choice while it is plugged in', () => {
    expect(effectiveChoice(options, 'usb')).toBe('usb');
  });
  it('falls back to the browser default when the stored one is gone or none was made', () => {
    expect(effectiveChoice(options, 'unplugged')).toBe('');
    expect(effectiveChoice(options, undefined)).toBe('');
  });
});
