/** Between the page and its media-encryption worker. */
export type WorkerRequest =
  /** A key to open frames with; `send`: seal outgoing frames with it from now on. */
  | { type: 'key'; id: number; raw: Uint8Array<ArrayBuffer>; send: boolean }
  | { type: 'counts' };

export type WorkerReply = { type: 'counts'; sealed: number; opened: number; failed: number; sendKeyId: number | null };
