export { fromBase64Url, randomId, toBase64Url } from '../../../crdt/base64url';

export const utf8 = new TextEncoder();
