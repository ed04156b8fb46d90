export * from './protocol/wire';
export * from './room/room-doc';
export * from './room/doc-sync';
export * from './protocol/base64url';
export * from './identity/host-identity';
export * from './room/control-records';
export * from './identity/participant-identity';
export * from './room/room-controls';
