/**
 * `@dualcloud/async-mode/storage` (Design 3): storage drivers whose constructor takes `async: true`.
 * @packageDocumentation
 */
export { withAsyncMode } from './async-mode.js';
export type { AsyncModeClass, AsyncModeOptions, DriverClass } from './async-mode.js';
export type { AsyncMethods, AsyncResult, Asyncify, Bound, MethodName } from './types.js';
