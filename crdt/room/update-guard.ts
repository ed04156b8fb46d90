import * as Y from 'yjs';

/**
 * The room document's schema is fixed (crdt/room/room-doc.ts): four root types holding plain JSON
 * values. An update that writes anything else — a root type nobody reads, a nested type, text,
 * binary, a subdocument, or one value over MAX_VALUE_CHARS — is refused whole before it
 * touches the document, so it is never synced on, never stored in IndexedDB and never makes a
 * newcomer's sync step 2 too large to deliver.
 */
export const ROOM_ROOTS: Readonly<Record<string, 'map' | 'array'>> = { participants: 'map', chat: 'array', controls: 'array', topology: 'map' };
/** Map keys a root may hold (others: any key up to MAX_KEY_CHARS). */
const ROOT_KEYS: Readonly<Record<string, ReadonlySet<string>>> = { topology: new Set(['relay']) };
const MAX_KEY_CHARS = 128;
/** A chat message of 2,000 characters is under 10 kB as JSON; a control record with `keep` under 3 kB. */
export const MAX_VALUE_CHARS = 16_384;

type Struct = ReturnType<typeof Y.decodeUpdate>['structs'][number];

/** Why `update` is refused, or null when it keeps to the schema. Never throws on garbage (it returns a reason). */
export function refusalOf(doc: Y.Doc, update: Uint8Array): string | null {
  let structs: Struct[];
  try {
    structs = Y.decodeUpdate(update).structs;
  } catch {
    return 'malformed update';
  }
  const byClient = new Map<number, Struct[]>();
  for (const s of structs) {
    const list = byClient.get(s.id.client) ?? [];
    list.push(s);
    byClient.set(s.id.client, list);
  }
  const roots = new Map<Struct, string | null>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const content = s.content;
    if (!(content instanceof Y.ContentAny) && !(content instanceof Y.ContentDeleted)) return `content of type ${content.constructor.name}`;
    if (content instanceof Y.ContentAny) {
      for (const value of content.arr) if (charsOf(value) > MAX_VALUE_CHARS) return 'a value over the size limit';
    }
    const root = rootOf(doc, s, byClient, roots);
    if (root === undefined) continue; // waits on structs we lack; checked when they come
    if (root === null || !Object.hasOwn(ROOM_ROOTS, root)) return `root type ${JSON.stringify(root)}`;
    const kind = ROOM_ROOTS[root];
    // Only items that carry their parent carry their key; the others take both from their origin.
    if (typeof s.parent === 'string') {
      const sub = s.parentSub;
      if (kind === 'array' ? sub !== null : sub === null || sub.length > MAX_KEY_CHARS || (ROOT_KEYS[root] && !ROOT_KEYS[root]!.has(sub))) {
        return `key ${JSON.stringify(sub)} in ${root}`;
      }
    }
  }
  return null;
}

function charsOf(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Infinity;
  }
}

/**
 * The root type an item belongs to: its own parent info, else its origin's (in this update or
 * in the document), followed without recursion. null: a nested type; undefined: not known yet
 * (an origin is missing: Yjs keeps the item pending, and it is checked again when it comes).
 */
function rootOf(doc: Y.Doc, first: Struct, byClient: Map<number, Struct[]>, memo: Map<Struct, string | null>): string | null | undefined {
  const chain: Struct[] = [];
  let root: string | null | undefined;
  for (let s: Struct | undefined = first; ; ) {
    if (memo.has(s)) {
      root = memo.get(s);
      break;
    }
    if (!(s instanceof Y.Item)) return undefined;
    chain.push(s);
    if (typeof s.parent === 'string') {
      root = s.parent;
      break;
    }
    if (s.parent !== null) {
      root = null; // an ID: the parent is an item, so a nested type
      break;
    }
    const near: Y.ID | null = s.origin ?? s.rightOrigin;
    if (!near) return undefined;
    s = containing(byClient.get(near.client), near.clock);
    if (!s) {
      root = rootInDoc(doc, near);
      break;
    }
  }
  if (root !== undefined) for (const s of chain) memo.set(s, root);
  return root;
}

/** The struct covering `clock` among one client's structs (in clock order, as decoded). */
function containing(list: Struct[] | undefined, clock: number): Struct | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid]!;
    if (clock < s.id.clock) hi = mid - 1;
    else if (clock >= s.id.clock + s.length) lo = mid + 1;
    else return s;
  }
  return undefined;
}

function rootInDoc(doc: Y.Doc, id: Y.ID): string | null | undefined {
  if (Y.getState(doc.store, id.client) <= id.clock) return undefined;
  const item = Y.getItem(doc.store, id);
  if (!(item instanceof Y.Item)) return undefined;
  const parent = item.parent as Y.AbstractType<unknown> | null;
  if (!parent || parent._item !== null) return null;
  return Y.findRootTypeKey(parent);
}
