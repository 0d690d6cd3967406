/**
 * `@dualcloud/async-methods/storage` (Design 2): storage drivers with an `*Async` twin of every method.
 * @packageDocumentation
 */
export { ASYNC_SUFFIX, withAsyncMethods } from './async-methods.js';
export type { AsyncMethodsClass, AsyncMethodsOptions, DriverClass } from './async-methods.js';
export type { AsyncMethod, AsyncResult, AsyncTwins, MethodName, WithAsyncMethods } from './types.js';
