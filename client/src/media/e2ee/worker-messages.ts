/** Between the page and its media-encryption worker. */
export type WorkerRequest =
  /** Who we are: our sender key in each epoch is the one derived for this peer id. */
  | { type: 'self'; id: string }
  /** An epoch's secret and members: its frames open from now on. */
  | { type: 'epoch'; epoch: number; secret: Uint8Array<ArrayBuffer>; members: string[] }
  /** Seal outgoing frames under this (installed) epoch from now on; older epochs are forgotten after a grace. */
  | { type: 'send'; epoch: number }
  | { type: 'counts' };

export type WorkerReply = { type: 'counts' } & E2eeCounts;

/** What the worker has done so far, and which epochs it holds. */
export interface E2eeCounts {
  sealed: number;
  opened: number;
  failed: number;
  /** Frames refused because their counter was seen before (a replay). */
  replayed: number;
  /** The epoch frames leave under, null before the first. */
  sendEpoch: number | null;
  /** Epochs whose frames this worker can open now. */
  heldEpochs: number[];
}
