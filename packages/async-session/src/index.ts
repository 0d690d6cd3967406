/**
 * `@dualcloud/async-session` (Design 1): `AsyncSession`, an async scope over unchanged sync drivers.
 * @packageDocumentation
 */
export { AsyncSession } from './session.js';
export type { AsyncMethod, AsyncResult, Bound, MethodName } from '@dualcloud/core';
export type {
  AsyncSessionConstructor,
  DriversOf,
  SessionOptions,
  SessionScope,
  SessionScopeBase,
  SessionView,
} from './types.js';
