import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { relayControlUrl } from '../../../../crdt/protocol/relay-presence';
import { signedRelay } from '../../../support/signed-relay';
import type { RelayLinkState } from '../../../../client/src/relay-node/relay-link';
import type { RelayMedia, RelayMediaOptions } from '../../../../client/src/relay-node/relay-media';
import type { TopologyHost } from '../../../../client/src/topology/topology-host';
import { TopologySwitch } from '../../../../client/src/topology/topology-switch';
import { openToLinkHolders } from '../../../../client/src/relay-node/relay-room-state';
import { foldControls, signControl, type RoomControlState } from '../../../../crdt/room/control-records';
import { newSigningIdentity, roomIdForHostKey } from '../../../../crdt/identity/host-identity';

/** A relay link as the switch sees it: the test says when it connects or fails. */
class FakeRelay {
  state: RelayLinkState = 'connecting';
  closed = false;
  started = false;
  others: string[] = [];
  readonly stage: Record<string, unknown> = {};
  readonly tracks: [string, unknown][] = [];
  forwardsScreens = true;
  constructor(readonly opts: RelayMediaOptions) {}
  start(): Promise<void> {
    this.started = true;
    return Promise.resolve();
  }
  publishers(): string[] {
    return this.others;
  }
  setVisible(ids: ReadonlySet<string> | null) {
    this.stage.visible = ids;
  }
  setLargeTile(large: unknown) {
    this.stage.large = large;
  }
  setTileWidth(px: number) {
    this.stage.tileWidthPx = px;
  }
  setPresenter(id: string | null) {
    this.stage.presenter = id;
  }
  setPinned(id: string | null) {
    this.stage.pinned = id;
  }
  replaceTrack(kind: string, track: unknown): Promise<void> {
    this.tracks.push([kind, track]);
    return Promise.resolve();
  }
  close() {
    this.closed = true;
    this.state = 'closed';
  }
  /** The relay link reaches `state` and says so, as RelayMedia does. */
  become(state: RelayLinkState) {
    this.state = state;
    this.opts.onChange();
  }
}

const ORIGIN_RELAY_URL = 'ws://room.example/relay';

/** A host whose answers the test sets, recording what the switch tells it. */
function host(over: Partial<TopologyHost> = {}) {
  const said = { meshMedia: [] as boolean[], lost: [] as boolean[], recorded: [] as (string | null)[], changed: 0 };
  const state = { peers: ['p1', 'p2'], offer: { meshMax: 2 } as { meshMax: number } | null, recorded: null as string | null, open: true };
  const h: TopologyHost = {
    meshPeerIds: () => state.peers,
    relayOffer: () => state.offer,
    relayUrl: () => ORIGIN_RELAY_URL,
    recordedRelay: () => state.recorded,
    relayPolicy: () => ({ open: state.open, approved: new Set() }),
    roomKey: async () => 'room-topic',
    selfId: () => 'me',
    relayCredentials: () => ({}) as never,
    localTrack: () => null,
    iceServers: () => [],
    relayRoom: { sealer: {} as never, handlers: {} as never },
    protect: () => {},
    setMeshMedia: (on) => said.meshMedia.push(on),
    relayLostChanged: (lost) => said.lost.push(lost),
    recordRelay: (url) => said.recorded.push(url),
    changed: () => said.changed++,
    ...over,
  };
  return { h, said, state };
}

function setup(over: Partial<TopologyHost> = {}) {
  const { h, said, state } = host(over);
  const relays: FakeRelay[] = [];
  const sw = new TopologySwitch(h, (opts) => {
    const r = new FakeRelay(opts);
    relays.push(r);
    return r as unknown as RelayMedia;
  });
  return { sw, said, state, relays };
}

/** Async steps (key derivation, relay ids) run on real promises; timers are fake. */
async function turn(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Settle time passes, and what it set off finishes. */
async function settle(ms = 600): Promise<void> {
  vi.advanceTimersByTime(ms);
  await turn();
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: 1_000_000 });
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('TopologySwitch (fake host and relay links, fake timers)', () => {
  it('stays a mesh while the room is within its server’s mesh limit', async () => {
    const { sw, state, relays } = setup();
    state.peers = ['p1'];
    await sw.welcomed();
    await settle();
    expect(relays).toEqual([]);
    expect(sw.topology()).toBe('mesh');
  });

  it('above the limit, opens one link to the server’s relay, makes it know the stage, and moves our media once it connects', async () => {
    const { sw, said, relays } = setup();
    sw.setTileWidth(200);
    sw.setPinned('p2');
    sw.setPresenter('p1');
    await sw.welcomed();
    sw.reconsider();
    sw.reconsider(); // a burst of reasons: one decision
    await settle();
    expect(relays).toHaveLength(1);
    const [relay] = relays;
    expect(relay!.opts).toMatchObject({ url: relayControlUrl(ORIGIN_RELAY_URL), room: 'room-topic', selfId: 'me', trusted: true });
    expect(relay!.started).toBe(true);
    expect(relay!.stage).toMatchObject({ tileWidthPx: 200, pinned: 'p2', presenter: 'p1', visible: null, large: null });
    expect(sw.topology()).toBe('relay');
    // Not yet carrying: mesh media stays on until the relay link is up (make before break).
    expect(said.meshMedia).toEqual([]);
    expect(sw.connectedRelay()).toBeNull();

    relay!.become('connected');
    expect(said.meshMedia).toEqual([false]);
    expect(said.recorded).toEqual([relayControlUrl(ORIGIN_RELAY_URL)]);
    expect(sw.connectedRelay()).toBe(relay as unknown as RelayMedia);
    expect(sw.relayInUse()).toBe(relayControlUrl(ORIGIN_RELAY_URL));
    // The stage goes on reaching the link.
    sw.setTileWidth(480);
    expect(relay!.stage.tileWidthPx).toBe(480);
    sw.replaceTrack('video', null);
    expect(relay!.tracks).toEqual([['video', null]]);
  });

  it('when the only relay fails: back to a mesh, says the relay is lost, and tries the relay again after its cooldown', async () => {
    const { sw, said, relays } = setup();
    await sw.welcomed();
    await settle();
    relays[0]!.become('connected');
    relays[0]!.become('failed');
    expect(relays[0]!.closed).toBe(true);
    expect(sw.topology()).toBe('mesh');
    expect(sw.relayLost()).toBe(true);
    expect(said.meshMedia).toEqual([false, true]);
    expect(said.lost).toEqual([true]);
    expect(said.recorded.at(-1)).toBeNull();

    await settle(1_000);
    expect(relays).toHaveLength(1); // still cooling down (RELAY_FAILED_COOLDOWN_MS, 5 s)
    await settle(4_000); // the retry: then one settle period before deciding
    await settle();
    expect(relays).toHaveLength(2);
    relays[1]!.become('connected');
    expect(sw.relayLost()).toBe(false);
    expect(said.lost).toEqual([true, false]);
    expect(said.meshMedia.at(-1)).toBe(false);
  });

  it('a relay link that does not connect in 20 s counts as failed', async () => {
    const { sw, relays, said } = setup();
    await sw.welcomed();
    await settle();
    vi.advanceTimersByTime(19_000);
    expect(relays[0]!.closed).toBe(false);
    vi.advanceTimersByTime(1_500);
    expect(relays[0]!.closed).toBe(true);
    expect(sw.topology()).toBe('mesh');
    expect(said.lost).toEqual([true]);
  });

  it('follows the room’s recorded relay to a joined one, keeping the old relay until the new one carries, and back when the new one fails', async () => {
    const { sw, said, state, relays } = setup();
    await sw.welcomed();
    await settle();
    relays[0]!.become('connected');
    const joinedRelay = await signedRelay('wss://joined.example/relay', 4);
    const joined = joinedRelay.announcement;
    sw.heard(await joinedRelay.signal('relay'));
    state.recorded = joined.url;
    sw.recordedRelayChanged(joined.url);
    await settle();
    expect(relays).toHaveLength(2);
    expect(relays[1]!.opts).toMatchObject({ url: joined.url, trusted: false });
    // Make before break: the old relay still carries our media.
    expect(relays[0]!.closed).toBe(false);
    expect(sw.connectedRelay()).toBe(relays[0] as unknown as RelayMedia);

    relays[1]!.become('connected');
    expect(relays[0]!.closed).toBe(true);
    expect(sw.relayInUse()).toBe(joined.url);

    // It says goodbye: marked failed, and the room goes to the next relay (the server's).
    sw.heard(await joinedRelay.signal('relay-bye'));
    expect(relays[1]!.closed).toBe(true);
    expect(relays).toHaveLength(3);
    expect(relays[2]!.opts.url).toBe(relayControlUrl(ORIGIN_RELAY_URL));
    expect(said.lost).toEqual([]);
  });

  it('a joined relay counts only while the room is open to every link holder', async () => {
    const { sw, state, relays } = setup();
    state.offer = null; // no relay of the room's own server
    state.open = false;
    const joinedRelay = await signedRelay('wss://joined.example/relay', 2);
    const joined = joinedRelay.announcement;
    await sw.welcomed();
    sw.heard(await joinedRelay.signal('relay'));
    await settle();
    expect(relays).toEqual([]);
    state.open = true;
    sw.reconsider();
    await settle();
    expect(relays.map((r) => r.opts.url)).toEqual([joined.url]);
  });

  it('a locked room leaves a joined relay once the host revokes its approval, even while the room document names it', async () => {
    const host = await newSigningIdentity();
    const roomId = await roomIdForHostKey(host.publicKey);
    const joinedRelay = await signedRelay('wss://joined.example/relay', 2, roomId);
    const joined = joinedRelay.announcement;
    const lock = await signControl(host, { room: roomId, kind: 'lock', seq: 1 });
    const approve = await signControl(host, { room: roomId, kind: 'approve-relay', target: joined.id, seq: 2 });
    const revoke = await signControl(host, { room: roomId, kind: 'revoke-relay', target: joined.id, seq: 3 });
    let controls: RoomControlState = (await foldControls(roomId, [lock, approve])).state;
    const { sw, state, relays, said } = setup({ relayPolicy: () => ({ open: openToLinkHolders(controls), approved: controls.approvedRelays }) });
    state.offer = null;
    await sw.welcomed();
    sw.heard(await joinedRelay.signal('relay'));
    await settle();
    expect(relays.map((r) => r.opts.url)).toEqual([joined.url]);
    relays[0]!.become('connected');
    state.recorded = joined.url;
    expect(sw.joined.relays()).toEqual([{ id: joined.id, url: joined.url, inUse: true }]);

    controls = (await foldControls(roomId, [lock, approve, revoke])).state;
    sw.reconsider();
    await settle();
    expect(relays[0]!.closed).toBe(true);
    expect(sw.topology()).toBe('mesh');
    expect(said.meshMedia.at(-1)).toBe(true);
    expect(said.lost).toEqual([]);
    expect(sw.joined.relays()).toEqual([{ id: joined.id, url: joined.url, inUse: false }]);
    // Still listed (the host may approve it again) until it stops announcing itself.
    vi.advanceTimersByTime(40_000);
    expect(sw.joined.relays()).toEqual([]);
  });

  it('closing drops every link and stops deciding', async () => {
    const { sw, relays } = setup();
    await sw.welcomed();
    await settle();
    sw.close();
    expect(relays[0]!.closed).toBe(true);
    sw.reconsider();
    await settle();
    expect(relays).toHaveLength(1);
  });
});
