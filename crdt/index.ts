export * from './wire';
export * from './room-doc';
export * from './doc-sync';
export * from './base64url';
export * from './host-identity';
export * from './control-records';
export * from './participant-identity';
export * from './room-controls';
