export { HttpApi } from './server';
export { listenUnix, socketPathOf } from './unix-listener';
export type { UnixListener } from './unix-listener';
export { HttpError, errorBody } from './errors';
export type { ErrorBody } from './errors';
export type { ApiDefinition, ApiRequest, HttpMethod, Reply, Route } from './types';
export { MAX_BODY_BYTES } from './body';
