import type { PeerReach } from '../mesh/link-recovery';
import { t } from '../i18n/i18n';

/** What a tile says about its connection; nothing once connected. */
export function reachLabel(reach: PeerReach, name: string | undefined): string | undefined {
  switch (reach) {
    case 'connecting':
      return t('reach.connecting');
    case 'reconnecting':
      return t('reach.reconnecting');
    case 'unreachable':
      return t('reach.unreachable', { name: name ?? t('reach.thisPerson') });
    default:
      return undefined;
  }
}
