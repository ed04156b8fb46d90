import type { Accessor } from 'solid-js';
import { t } from '../i18n/i18n';
import type { Participant } from '../../../crdt/room/room-schema';
import { DeviceSettings } from '../components/DeviceSettings';
import { RaiseHandButton, ReactionRow, ReactionsButton } from '../components/HandAndReactions';
import type { MoreItem } from '../components/MoreMenu';
import { canShareScreen } from '../media/browser-features';
import { replaceBackground } from '../components/BackgroundPicker';
import { hasKeyboard } from '../components/SettingsPanel';
import { canSegment } from '../media/effects/can-segment';
import { canSuppressNoise } from '../media/noise-preference';
import { canPictureInPicture, type PictureInPicture } from '../media/picture-in-picture';
import { LocalRecording } from '../media/recording/local-recording';
import type { RoomSession } from '../session/room-session';

export interface RoomMenuContext {
  session: RoomSession;
  self: Accessor<Participant | undefined>;
  /** Knocking, locked out or denied: only the devices are offered. */
  outside: Accessor<boolean>;
  yourRoomOpen: Accessor<boolean>;
  toggleYourRoom(): void;
  /** The Devices panel as a sheet (opened from More on a phone). */
  openDevices(): void;
  /** Settings: language, noise suppression, background. */
  openSettings(): void;
  /** The keyboard shortcuts overlay. */
  openShortcuts(): void;
  pip: PictureInPicture;
  recording: LocalRecording;
  toggleRecording(): void;
  openBackgrounds(): void;
}

/**
 * Every call control beyond microphone, camera, chat and leave, in toolbar order. On wide
 * screens the 'toolbar' ones are buttons of their own and the rest sit in More; on a phone all
 * of them are in More. A new feature adds its entry here (see MoreItem).
 */
export function roomMenuItems(ctx: RoomMenuContext): MoreItem[] {
  const { session } = ctx;
  const inRoom = () => !ctx.outside();
  const handUp = () => ctx.self()?.handUpAt !== undefined;
  const sharing = () => session.screen.track() !== null;
  return [
    {
      id: 'devices',
      label: () => t('devices.button'),
      icon: 'settings',
      place: 'toolbar',
      toolbar: () => <DeviceSettings media={session.media} above />,
      onSelect: () => {
        void session.media.devices.refresh();
        ctx.openDevices();
      },
    },
    {
      id: 'share-screen',
      label: () => t('toolbar.shareScreen'),
      icon: 'screen',
      place: 'toolbar',
      // Phones (iOS, Android) have no getDisplayMedia: no button that can only fail.
      available: () => inRoom() && canShareScreen(),
      pressed: sharing,
      onSelect: () => (sharing() ? session.screen.stop() : void session.screen.start()),
    },
    {
      id: 'hand',
      label: () => (handUp() ? t('toolbar.lowerHand') : t('toolbar.raiseHand')),
      icon: 'hand',
      place: 'toolbar',
      available: inRoom,
      pressed: handUp,
      toolbar: () => <RaiseHandButton handUp={handUp()} onHand={(up) => session.setHand(up)} />,
      onSelect: () => session.setHand(!handUp()),
    },
    {
      id: 'reactions',
      label: () => t('toolbar.reactions'),
      icon: 'smile',
      place: 'toolbar',
      available: inRoom,
      toolbar: () => <ReactionsButton onReact={(emoji) => session.react(emoji)} />,
      content: (close) => (
        <ReactionRow
          class="reaction-row"
          onReact={(emoji) => {
            session.react(emoji);
            close();
          }}
        />
      ),
    },
    {
      id: 'your-room',
      label: () => t('toolbar.yourRoom'),
      icon: 'people',
      place: 'toolbar',
      available: inRoom,
      pressed: ctx.yourRoomOpen,
      badge: () => {
        const knocks = session.moderation.knocks().length;
        return { count: knocks, label: t('toolbar.knocking', { count: knocks }) };
      },
      onSelect: ctx.toggleYourRoom,
    },
    {
      id: 'blur',
      label: () => t('bg.blur'),
      icon: 'blur',
      available: canSegment,
      pressed: () => session.media.background.setting().kind === 'blur',
      keepOpen: true,
      onSelect: () => {
        const bg = session.media.background;
        void bg.choose(bg.setting().kind === 'blur' ? { kind: 'none' } : { kind: 'blur' });
      },
    },
    {
      id: 'replace',
      label: () => t('bg.replace'),
      icon: 'image',
      available: canSegment,
      pressed: () => session.media.background.setting().kind === 'image',
      onSelect: () => replaceBackground(session.media.background, ctx.openBackgrounds),
    },
    {
      id: 'noise',
      label: () => t('noise.toggle'),
      icon: 'wave',
      available: canSuppressNoise,
      pressed: session.media.noise.on,
      keepOpen: true,
      onSelect: () => void session.media.noise.toggle(),
    },
    {
      id: 'pip',
      label: () => t('pip.toggle'),
      icon: 'pip',
      available: () => inRoom() && canPictureInPicture(),
      pressed: ctx.pip.open,
      onSelect: () => void ctx.pip.toggle().catch((err: Error) => console.warn(`[confab] picture-in-picture: ${err.message}`)),
    },
    {
      id: 'record',
      label: () => (ctx.recording.recording() ? t('rec.stop') : t('rec.start')),
      icon: 'record',
      available: () => inRoom() && LocalRecording.supported(),
      pressed: ctx.recording.recording,
      onSelect: ctx.toggleRecording,
    },
    {
      id: 'settings',
      label: () => t('toolbar.settings'),
      icon: 'sliders',
      onSelect: ctx.openSettings,
    },
    {
      id: 'shortcuts',
      label: () => t('toolbar.shortcuts'),
      icon: 'keyboard',
      // No keyboard to speak of on a phone.
      available: hasKeyboard,
      onSelect: ctx.openShortcuts,
    },
  ];
}
