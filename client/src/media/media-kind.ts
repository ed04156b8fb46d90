/** What a page sends: its microphone, its camera and its shared screen (one transceiver each on a peer link). */
export type MediaKind = 'audio' | 'video' | 'screen';

/** How a kind travels in RTP (and is sealed end to end): a screen is video. */
export type RtpMedia = 'audio' | 'video';

export const rtpMediaOf = (kind: MediaKind): RtpMedia => (kind === 'audio' ? 'audio' : 'video');
