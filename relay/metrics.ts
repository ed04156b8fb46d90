import type { RelayNodeStats } from './sfu/node';
import type { SignalingRelay } from './signaling';

/** Prometheus text exposition of the relay's counters and this process's CPU and memory. */
export function renderMetrics(signaling: SignalingRelay, media: RelayNodeStats): string {
  const s = signaling.stats();
  const cpu = process.cpuUsage();
  const lines: [string, 'gauge' | 'counter', string, number][] = [
    ['confab_signaling_sockets', 'gauge', 'Open signaling WebSockets.', s.sockets],
    ['confab_signaling_topics', 'gauge', 'Topics with at least one subscriber.', s.topics],
    ['confab_signaling_rooms', 'gauge', 'Topics with two or more subscribers.', s.rooms],
    ['confab_signaling_subscriptions_refused_total', 'counter', 'Subscriptions refused: room full or too many rooms.', s.subscriptionsRefused],
    ['confab_signaling_frames_in_total', 'counter', 'Frames received from clients.', s.framesIn],
    ['confab_signaling_frames_out_total', 'counter', 'Frames delivered to subscribers.', s.framesOut],
    ['confab_signaling_bytes_in_total', 'counter', 'Bytes received from clients.', s.bytesIn],
    ['confab_signaling_bytes_out_total', 'counter', 'Bytes delivered to subscribers.', s.bytesOut],
    ['confab_signaling_sockets_rejected_total', 'counter', 'Sockets closed for breaking a limit.', s.socketsRejected],
    ['confab_relay_rooms', 'gauge', 'Rooms with someone connected to the relay node.', media.rooms],
    ['confab_relay_participants', 'gauge', 'Participants connected to the relay node.', media.participants],
    ['confab_relay_packets_in_total', 'counter', 'RTP packets the relay node received from publishers.', media.packetsIn],
    ['confab_relay_packets_out_total', 'counter', 'RTP packets the relay node forwarded to subscribers.', media.packetsOut],
    ['confab_relay_bytes_in_total', 'counter', 'RTP bytes received from publishers.', media.bytesIn],
    ['confab_relay_bytes_out_total', 'counter', 'RTP bytes forwarded to subscribers.', media.bytesOut],
    ['confab_relay_screen_packets_in_total', 'counter', 'Of the RTP packets received, those of shared screens.', media.screenPacketsIn],
    ['confab_relay_screen_packets_out_total', 'counter', 'Of the RTP packets forwarded, those of shared screens.', media.screenPacketsOut],
    ['confab_relay_packets_dropped_total', 'counter', 'Up packets not forwarded (not RTP of the negotiated codec).', media.packetsDropped],
    ['confab_relay_room_frames_out_total', 'counter', 'Sealed room-state frames (and presence) sent to participants on their room data channels.', media.roomFramesOut],
    ['confab_relay_keyframe_requests_total', 'counter', 'Keyframe requests sent to publishers.', media.keyframeRequests],
    ['confab_relay_keyframe_requests_in_total', 'counter', 'Keyframe requests (PLI, FIR) received from subscribers.', media.keyframeRequestsIn],
    ['confab_relay_keyframe_requests_coalesced_total', 'counter', 'Keyframe requests served by one already sent in the window, not sent on their own.', media.keyframeRequestsCoalesced],
    ['confab_relay_sessions_refused_total', 'counter', 'Relay sessions refused or dropped: bad key proof, or the room\'s control records keep the participant out.', media.sessionsRefused],
    ['confab_relay_callback_errors_total', 'counter', 'Errors caught in media callbacks.', media.callbackErrors],
    ['process_cpu_seconds_total', 'counter', 'User and system CPU time of the relay process.', (cpu.user + cpu.system) / 1e6],
    ['process_resident_memory_bytes', 'gauge', 'Resident memory of the relay process.', process.memoryUsage.rss()],
  ];
  return lines.map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`).join('');
}
