import { describe, expect, it } from 'vitest';
import { describeQuality, gradeOf, qualityBetween, UplinkNotice, uplinkQuality, type StatsReading } from '../../../../../client/src/media/stats/link-quality';

const reading = (over: Partial<StatsReading>): StatsReading => ({ atMs: 0, packetsReceived: 0, packetsLost: 0, bytesReceived: 0, ...over });

describe('grading a connection', () => {
  it('little loss and a short round trip is good; either one high makes it fair, then poor', () => {
    expect(gradeOf(0.5, 20)).toBe('good');
    expect(gradeOf(4, 20)).toBe('fair');
    expect(gradeOf(0, 350)).toBe('fair');
    expect(gradeOf(12, 20)).toBe('poor');
    expect(gradeOf(0, 800)).toBe('poor');
    expect(gradeOf(0, undefined)).toBe('good');
  });
});

describe('quality between two readings', () => {
  it('loss is lost / (received + lost) over the interval; bitrate is bytes over time', () => {
    const q = qualityBetween(
      reading({ atMs: 0, packetsReceived: 1000, packetsLost: 10, bytesReceived: 1_000_000 }),
      reading({ atMs: 2000, packetsReceived: 1190, packetsLost: 20, bytesReceived: 1_160_000, rttMs: 40 }),
    )!;
    expect(q.lossPct).toBeCloseTo(5, 5);
    expect(q.bitrateBps).toBe(640_000);
    expect(q.grade).toBe('fair');
    expect(describeQuality(q)).toBe('Fair connection · loss 5.0% · round trip 40 ms · 640 kbps');
  });

  it('counters that went backwards (a new connection) or no time passing give no verdict', () => {
    expect(qualityBetween(reading({ atMs: 0, packetsReceived: 500 }), reading({ atMs: 2000, packetsReceived: 10 }))).toBeNull();
    expect(qualityBetween(reading({ atMs: 5 }), reading({ atMs: 5 }))).toBeNull();
  });

  it('nothing received and nothing lost (camera and mic off) is no loss', () => {
    expect(qualityBetween(reading({}), reading({ atMs: 2000 }))!.lossPct).toBe(0);
  });
});

describe('your uplink', () => {
  it('is as bad as the worst peer reports it', () => {
    const up = uplinkQuality([
      reading({ sentFractionLost: 0.01, rttMs: 20, availableOutgoingBps: 900_000 }),
      reading({ sentFractionLost: 0.2, rttMs: 80, availableOutgoingBps: 90_000 }),
    ]);
    expect(up.grade).toBe('poor');
    expect(up.lossPct).toBeCloseTo(20);
    expect(up.availableOutgoingBps).toBe(90_000);
  });

  it('the "cannot carry video" notice needs two low readings in a row to show and two good ones to go', () => {
    const notice = new UplinkNotice(2);
    expect([80_000, 900_000, 80_000, 80_000, 80_000, 900_000, 900_000].map((bps) => notice.update(bps, true))).toEqual([
      false, false, false, true, true, true, false,
    ]);
  });

  it('never shows with the camera off (no video to carry) or before any estimate', () => {
    const notice = new UplinkNotice(2);
    expect([50_000, 50_000, 50_000].map((bps) => notice.update(bps, false))).toEqual([false, false, false]);
    expect(notice.update(undefined, true)).toBe(false);
  });
});
