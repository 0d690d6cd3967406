/**
 * `@dualcloud/async-session` (Design 1): `AsyncSession`, an async scope over unchanged sync drivers.
 * @packageDocumentation
 */
export { AsyncSession } from './session.js';
export type {
  AsyncMethod,
  AsyncResult,
  AsyncSessionConstructor,
  Bound,
  DriversOf,
  MethodName,
  SessionOptions,
  SessionScope,
  SessionScopeBase,
  SessionView,
} from './types.js';
