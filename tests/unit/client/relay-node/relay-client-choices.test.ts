import { describe, expect, it } from 'vitest';
import { layerForTile } from '../../../../client/src/relay-node/relay-layers';
import { SlotPlan } from '../../../../client/src/relay-node/relay-slots';
import { chooseTopology, meshLinksWanted, relayUrlFor, STANDBY_LINKS_UP_TO } from '../../../../client/src/topology/topology';

describe('relay mode: what a client asks for', () => {
  it('picks the smallest layer that fills a tile (160/320/640-px layers, up to 1.5× each)', () => {
    expect(layerForTile(160, true)).toBe('low'); // the filmstrip
    expect(layerForTile(240, true)).toBe('low');
    expect(layerForTile(241, true)).toBe('mid');
    expect(layerForTile(300, true)).toBe('mid'); // a grid of 16 on a laptop
    expect(layerForTile(480, true)).toBe('mid');
    expect(layerForTile(600, true)).toBe('high'); // two people side by side
    expect(layerForTile(200, true, 2)).toBe('mid'); // a HiDPI screen counts device pixels
    expect(layerForTile(600, false)).toBe('none'); // hidden tiles cost nothing
    expect(layerForTile(0, true)).toBe('none'); // not laid out yet
  });

  it('gives each publisher a slot it keeps, reuses freed slots, and sends only changes', () => {
    const plan = new SlotPlan(2);
    expect(plan.plan(['a', 'b', 'c'], () => 'low')).toEqual([
      { tile: 0, publisher: 'a', layer: 'low' },
      { tile: 1, publisher: 'b', layer: 'low' },
    ]);
    expect(plan.slotOf('c')).toBeUndefined(); // more publishers than slots
    expect(plan.plan(['a', 'b', 'c'], () => 'low')).toEqual([]);
    expect(plan.plan(['b', 'c'], (p) => (p === 'b' ? 'high' : 'low'))).toEqual([
      { tile: 0, publisher: 'a', layer: 'none' },
      { tile: 1, publisher: 'b', layer: 'high' },
      { tile: 0, publisher: 'c', layer: 'low' },
    ]);
    expect(plan.slotOf('b')).toBe(1);
  });

  it('uses the relay above the mesh limit, only when the server offers one; the relay sits beside /signal', () => {
    expect(chooseTopology(6, { meshMax: 6 })).toBe('mesh');
    expect(chooseTopology(7, { meshMax: 6 })).toBe('relay');
    expect(chooseTopology(50, null)).toBe('mesh');
    expect(relayUrlFor('wss://host:8443/confab/signal')).toBe('wss://host:8443/confab/relay');
  });

  it('keeps peer links beside a relay in a small room, drops them in a big one unless a shared screen needs them (a relay that forwards no screens)', () => {
    const onRelay = { meshMedia: false, relayCarriesRoom: true, screenOnLinks: false };
    expect(meshLinksWanted({ ...onRelay, people: STANDBY_LINKS_UP_TO })).toBe(true);
    expect(meshLinksWanted({ ...onRelay, people: STANDBY_LINKS_UP_TO + 1 })).toBe(false);
    expect(meshLinksWanted({ ...onRelay, people: 50, screenOnLinks: true })).toBe(true);
    // Media on the mesh, or room state with no relay channel yet: links are the room.
    expect(meshLinksWanted({ ...onRelay, people: 50, meshMedia: true })).toBe(true);
    expect(meshLinksWanted({ ...onRelay, people: 50, relayCarriesRoom: false })).toBe(true);
  });
});
