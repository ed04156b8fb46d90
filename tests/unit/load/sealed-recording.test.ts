import { describe, expect, it } from 'vitest';
import { clearPrefixBytes, openFrame, sealedCounter, senderFrameKey } from '../../../client/src/media/e2ee/frame-crypto';
import { ReplayWindow } from '../../../client/src/media/e2ee/replay-window';
import { vp8DescriptorLength } from '../../../relay/sfu/vp8';
import { loadRecording, STREAM_AUDIO } from '../../load/recording';
import { BOT_EPOCH, botEpochSecret, botSealer } from '../../load/sealed-recording';

/** The load bots' synchronous sealer against frame-crypto's own WebCrypto opening, as a browser's worker opens. */
describe('bots seal each frame as it is sent', () => {
  const recording = loadRecording();
  const secret = botEpochSecret();
  const ids = ['bot-a', 'bot-b'];
  const label = { epoch: BOT_EPOCH, senderId: 'bot-b' };

  it('an Opus packet and a whole VP8 frame open under the sender key a browser derives', async () => {
    const sealer = botSealer(recording, secret).sealerFor('bot-b', ids);
    const key = await senderFrameKey(secret, BOT_EPOCH, 'bot-b');
    const audio = recording.streams[STREAM_AUDIO]![0]!;
    const [sealedAudio] = sealer.seal(STREAM_AUDIO, [audio]);
    expect(Buffer.from((await openFrame(key, label, sealedAudio!, clearPrefixBytes('audio', false)))!)).toEqual(audio.payload);

    const video = recording.streams[1]!;
    const frame = video.filter((p) => p.rtpTs === video[0]!.rtpTs);
    expect(frame.length).toBeGreaterThan(1);
    const payloads = sealer.seal(1, frame);
    const body = (payloads: Buffer[]) => Buffer.concat(payloads.map((p) => p.subarray(vp8DescriptorLength(p, 0, p.length))));
    const opened = await openFrame(key, label, body(payloads), clearPrefixBytes('video', true));
    expect(Buffer.from(opened!)).toEqual(body(frame.map((p) => p.payload)));
    // The sender index travels in the trailer: bot-b is member 1 of the test epoch.
    expect(payloads.at(-1)!.at(-2)).toBe(1);
  });

  it('sealing the same frame again (the next loop) gives a new counter that the replay window accepts', async () => {
    const sealer = botSealer(recording, secret).sealerFor('bot-b', ids);
    const audio = recording.streams[STREAM_AUDIO]![0]!;
    const window = new ReplayWindow();
    for (let loop = 0; loop < 3; loop++) {
      const [sealed] = sealer.seal(STREAM_AUDIO, [audio]);
      expect(window.accept(sealedCounter(sealed!))).toBe(true);
    }
  });

  it('a frame sealed by another bot does not open as this one', async () => {
    const [sealed] = botSealer(recording, secret).sealerFor('bot-a', ids).seal(STREAM_AUDIO, [recording.streams[STREAM_AUDIO]![0]!]);
    const key = await senderFrameKey(secret, BOT_EPOCH, 'bot-b');
    expect(await openFrame(key, label, sealed!, clearPrefixBytes('audio', false))).toBeNull();
  });
});
