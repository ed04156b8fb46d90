import { parseRelaySignal } from './relay-presence';
import { parseSignalAuth } from '../identity/signal-auth';
import { PROTOCOL_VERSION, type SignalEnvelope } from './wire';

/** Signals come from anyone holding the room secret: check their shape before use. */
export function parseEnvelope(value: unknown): SignalEnvelope | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  if (e.v !== PROTOCOL_VERSION || typeof e.from !== 'string' || e.from.length > 64) return null;
  if (e.to !== undefined && typeof e.to !== 'string') return null;
  if (e.auth !== undefined && !parseSignalAuth(e.auth)) return null;
  const msg = e.msg as Record<string, unknown> | null;
  if (typeof msg !== 'object' || msg === null) return null;
  if (msg.dial !== undefined && !Number.isFinite(msg.dial)) return null;
  switch (msg.kind) {
    case 'announce':
      if (!isKey(msg.key) || !isRecordList(msg.proof) || !isKey(msg.instance)) return null;
      if (msg.mesh !== undefined && typeof msg.mesh !== 'boolean') return null;
      if (msg.pkg !== undefined && (typeof msg.pkg !== 'string' || msg.pkg.length > MAX_KEY_PACKAGE_CHARS)) return null;
      if (msg.entry !== undefined && (typeof msg.entry !== 'object' || msg.entry === null || JSON.stringify(msg.entry).length > MAX_ENTRY_CHARS)) return null;
      break;
    case 'bye':
      break;
    case 'description': {
      const d = msg.description as Record<string, unknown> | null;
      if (typeof d !== 'object' || d === null) return null;
      if (!['offer', 'answer', 'pranswer', 'rollback'].includes(d.type as string)) return null;
      if (typeof d.sdp !== 'string' || d.sdp.length > 200_000) return null;
      if (!isKey(msg.key) || typeof msg.sig !== 'string') return null;
      break;
    }
    case 'refused':
      if (!['locked', 'denied', 'removed', 'ended'].includes(msg.reason as string) || !isRecordList(msg.records)) return null;
      break;
    case 'knock':
      if (!isKey(msg.key) || typeof msg.name !== 'string') return null;
      break;
    case 'decision':
      if (!isRecordList(msg.records)) return null;
      break;
    case 'candidate': {
      const c = msg.candidate as Record<string, unknown> | null;
      if (c !== null && (typeof c !== 'object' || typeof c.candidate !== 'string')) return null;
      break;
    }
    case 'relay':
    case 'relay-bye':
      if (!parseRelaySignal(msg)) return null;
      break;
    default:
      return null;
  }
  return value as SignalEnvelope;
}

const MAX_SIGNAL_RECORDS = 64;
/** A key package is ~330 characters of JSON. */
const MAX_KEY_PACKAGE_CHARS = 1024;
/** A participant entry is a few hundred characters; names are capped well below this. */
const MAX_ENTRY_CHARS = 4096;
const isKey = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
const isRecordList = (v: unknown): v is unknown[] => Array.isArray(v) && v.length <= MAX_SIGNAL_RECORDS;
