import type { WantedLayer } from '../../../crdt/protocol/relay-wire';

export interface Subscription {
  tile: number;
  publisher: string;
  layer: WantedLayer;
}

/**
 * Which of our down video slots shows which publisher. A publisher keeps its slot while it
 * publishes (its tile's track stays the same); a slot freed by someone leaving goes to the
 * next newcomer. `plan` returns only the subscriptions that changed.
 */
export class SlotPlan {
  private readonly slots: ({ publisher: string; layer: WantedLayer } | null)[];

  constructor(slotCount: number) {
    this.slots = Array.from({ length: slotCount }, () => null);
  }

  slotOf(publisher: string): number | undefined {
    const i = this.slots.findIndex((s) => s?.publisher === publisher);
    return i < 0 ? undefined : i;
  }

  plan(publishers: readonly string[], layerOf: (publisher: string) => WantedLayer): Subscription[] {
    const changes: Subscription[] = [];
    const present = new Set(publishers);
    this.slots.forEach((slot, tile) => {
      if (slot && !present.has(slot.publisher)) {
        this.slots[tile] = null;
        changes.push({ tile, publisher: slot.publisher, layer: 'none' });
      }
    });
    for (const publisher of publishers) {
      let tile = this.slotOf(publisher);
      if (tile === undefined) {
        tile = this.slots.indexOf(null);
        if (tile < 0) continue; // more publishers than slots: the rest get no video
        this.slots[tile] = { publisher, layer: 'none' };
      }
      const layer = layerOf(publisher);
      const slot = this.slots[tile]!;
      if (slot.layer !== layer) {
        slot.layer = layer;
        changes.push({ tile, publisher, layer });
      }
    }
    return changes;
  }
}
