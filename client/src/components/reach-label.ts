import type { PeerReach } from '../mesh/link-recovery';

/** What a tile says about its connection; nothing once connected. */
export function reachLabel(reach: PeerReach, name: string | undefined): string | undefined {
  switch (reach) {
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'unreachable':
      return `Can't reach ${name ?? 'this person'} — your networks may block calls; try another network`;
    default:
      return undefined;
  }
}
