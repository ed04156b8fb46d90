export * from './wire';
export * from './room-doc';
export * from './doc-sync';
