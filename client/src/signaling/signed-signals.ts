import { randomId } from '../../../crdt/protocol/base64url';
import type { SigningIdentity } from '../../../crdt/identity/host-identity';
import { SignalGuard, SignalSigner, type SignalVerdict } from '../../../crdt/identity/signal-auth';
import type { PeerSignal, SignalEnvelope } from '../../../crdt/protocol/wire';

/**
 * A page's signed signalling (crdt/identity/signal-auth.ts): signs what the mesh sends, addressed to the
 * page load of the peer it last heard from, and checks what it receives. Refusals are logged
 * once per reason and sender.
 */
export class SignedSignals {
  readonly inst: string;
  private readonly signer: SignalSigner;
  private readonly guard: SignalGuard;
  /** The page load each peer last signed a signal from. */
  private readonly signedFrom = new Map<string, string>();
  private readonly logged = new Set<string>();

  constructor(roomId: string, selfId: string, identity: SigningIdentity, inst = randomId(8)) {
    this.inst = inst;
    this.signer = new SignalSigner(roomId, selfId, identity, inst);
    this.guard = new SignalGuard(roomId, selfId, inst);
  }

  /** Any order, in parallel. */
  verify(envelope: SignalEnvelope): Promise<SignalVerdict> {
    return this.guard.verify(envelope);
  }

  /** In arrival order, after `verify`: true when the signal is to be handled. */
  admit(envelope: SignalEnvelope, verdict: SignalVerdict | 'malformed'): boolean {
    if (verdict === 'ok' && !this.guard.admit(envelope)) verdict = 'replayed';
    if (verdict !== 'ok') {
      const id = `${verdict}|${envelope.from}`;
      if (!this.logged.has(id) && this.logged.size < 100) {
        this.logged.add(id);
        console.warn(`[confab] ignoring a ${envelope.msg.kind} signal said to be from ${envelope.from}: ${verdict}`);
      }
      return false;
    }
    if (envelope.auth) this.signedFrom.set(envelope.from, envelope.auth.inst);
    return true;
  }

  broadcast(msg: PeerSignal): Promise<SignalEnvelope> {
    return this.signer.envelope(msg);
  }

  /** Null until the peer has signed something to us: we would not know which page load it is. */
  to(peerId: string, msg: PeerSignal): Promise<SignalEnvelope> | null {
    const inst = this.signedFrom.get(peerId);
    return inst === undefined ? null : this.signer.envelope(msg, { peer: peerId, inst });
  }
}
