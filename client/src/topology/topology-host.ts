import type { RelayOffer } from '../../../crdt/protocol/wire';
import type { MediaKind, RtpMedia } from '../media/media-kind';
import type { RelayCredentials } from '../relay-node/relay-link';
import type { RelayMedia, RelayMediaOptions } from '../relay-node/relay-media';
import type { MessageSealer, RelayRoomHandlers } from '../relay-node/relay-room-channel';

/** The topology switch's boundary (topology-switch.ts): what it is lent, and what it offers the stage. */

/** What the room session lends the switch. */
export interface TopologyHost {
  meshPeerIds(): string[];
  /** The room's own server's relay offer (signaling welcome frame). */
  relayOffer(): RelayOffer | null;
  /** That relay's control socket (beside /signal). */
  relayUrl(): string;
  /** The relay the room document names as carrying the media (null: none). */
  recordedRelay(): string | null;
  /** Whether the room is open to every link holder, and the joined relays its moderators approved. */
  relayPolicy(): { open: boolean; approved: ReadonlySet<string> };
  /** Opaque room key for the relay: the room's signaling topic. */
  roomKey(): Promise<string>;
  selfId(): string;
  /** Proves our participant key to the relay and hands it the room's control records. */
  relayCredentials(): RelayCredentials;
  localTrack(kind: MediaKind): MediaStreamTrack | null;
  iceServers(): RTCIceServer[];
  /** Room state through each relay link: sealed with the room's message key, handled by the session. */
  relayRoom: { sealer: MessageSealer; handlers: RelayRoomHandlers };
  /** Seals and opens the relay link's media end to end, as on mesh links. */
  protect(t: RTCRtpTransceiver, media: RtpMedia): void;
  /** Our camera and microphone on mesh links, or not. */
  setMeshMedia(on: boolean): void;
  /** The room is above the mesh threshold with no relay left (or no longer): a degraded mesh. */
  relayLostChanged(lost: boolean): void;
  /** The relay carrying the room's media, for the room document (null: a mesh). */
  recordRelay(url: string | null): void;
  /** What the tiles show may have changed. */
  changed(): void;
}

/** What the stage shows, as a relay link needs it: whom to give video and voice, at which size. */
export interface StageView {
  /** Whose tiles are on screen (null: everyone's); the others get no video from the relay. */
  setVisible(ids: ReadonlySet<string> | null): void;
  /** The large tile of speaker layout (null: none): it asks for a layer of its size. */
  setLargeTile(large: { id: string; widthPx: number } | null): void;
  /** Tiles are this wide (CSS px): each asks for the layer that fits. */
  setTileWidth(px: number): void;
  /** Whose shared screen the stage shows (null: none): it gets the relay's screen slot. */
  setPresenter(id: string | null): void;
  /** Whom the stage pins (null: nobody): their voice is forwarded whenever they speak. */
  setPinned(id: string | null): void;
}

/** Opens a relay link (a fake one in unit tests). */
export type OpenRelay = (opts: RelayMediaOptions) => RelayMedia;
