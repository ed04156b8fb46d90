import { createSignal, type Accessor } from 'solid-js';
import { t, type Key } from '../i18n/i18n';

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

export interface DeviceOption {
  id: string;
  label: string;
}

const STORE_KEY = 'confab.devices';

/** What to call a device the browser names with an empty label (before permission). */
const UNNAMED = { audioinput: 'media.microphone', videoinput: 'media.camera', audiooutput: 'media.speaker' } as const satisfies Record<DeviceKind, Key>;

/** The browser's devices of each kind, numbered when unnamed, in the browser's order. */
export function optionsByKind(devices: readonly Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>[]): Record<DeviceKind, DeviceOption[]> {
  const out: Record<DeviceKind, DeviceOption[]> = { audioinput: [], videoinput: [], audiooutput: [] };
  for (const d of devices) {
    const list = out[d.kind as DeviceKind];
    if (!list || list.some((o) => o.id === d.deviceId)) continue;
    list.push({ id: d.deviceId, label: d.label || `${t(UNNAMED[d.kind as DeviceKind])} ${list.length + 1}` });
  }
  return out;
}

/** The stored choice while that device is plugged in; otherwise the browser's default (''). */
export function effectiveChoice(options: readonly DeviceOption[], stored: string | undefined): string {
  return stored && options.some((o) => o.id === stored) ? stored : '';
}

/**
 * Which camera, microphone and speaker this person picked, remembered in this browser
 * (device ids are per origin and stable across visits). The lists follow plugging and
 * unplugging ('devicechange').
 */
export class DeviceChoice {
  readonly options: Accessor<Record<DeviceKind, DeviceOption[]>>;
  private readonly setOptions: (o: Record<DeviceKind, DeviceOption[]>) => void;
  private readonly stored: Accessor<Partial<Record<DeviceKind, string>>>;
  private readonly setStored: (s: Partial<Record<DeviceKind, string>>) => void;

  constructor() {
    [this.options, this.setOptions] = createSignal(optionsByKind([]));
    [this.stored, this.setStored] = createSignal(readStored());
    navigator.mediaDevices?.addEventListener?.('devicechange', () => void this.refresh());
  }

  /** The chosen device of `kind` ('' = the browser's default). */
  chosen(kind: DeviceKind): string {
    return effectiveChoice(this.options()[kind], this.stored()[kind]);
  }

  /** What to ask getUserMedia for: the chosen device if it is still there, else any. */
  constraint(kind: 'audioinput' | 'videoinput', base: MediaTrackConstraints | true): MediaTrackConstraints | true {
    const id = this.stored()[kind];
    if (!id) return base;
    return { ...(base === true ? {} : base), deviceId: { ideal: id } };
  }

  choose(kind: DeviceKind, id: string): void {
    const next = { ...this.stored(), [kind]: id };
    this.setStored(next);
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify(next));
    } catch {
      /* private mode: the choice lasts this visit only */
    }
  }

  /** Reads the device lists again (labels appear once camera or mic permission is given). */
  async refresh(): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    this.setOptions(optionsByKind(await navigator.mediaDevices.enumerateDevices()));
  }
}

function readStored(): Partial<Record<DeviceKind, string>> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORE_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Partial<Record<DeviceKind, string>> = {};
    for (const kind of ['audioinput', 'videoinput', 'audiooutput'] as const) {
      const id = (parsed as Record<string, unknown>)[kind];
      if (typeof id === 'string' && id.length <= 256) out[kind] = id;
    }
    return out;
  } catch {
    return {};
  }
}
