import type { SignalingRelay } from './signaling';

/** Prometheus text exposition of the relay's counters and this process's CPU and memory. */
export function renderMetrics(signaling: SignalingRelay): string {
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
    ['process_cpu_seconds_total', 'counter', 'User and system CPU time of the relay process.', (cpu.user + cpu.system) / 1e6],
    ['process_resident_memory_bytes', 'gauge', 'Resident memory of the relay process.', process.memoryUsage.rss()],
  ];
  return lines.map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`).join('');
}
