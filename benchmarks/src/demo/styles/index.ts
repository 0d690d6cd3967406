/**
 * Builds the style of a demo mode.
 * @module
 */
import type { DemoMode } from '../config.js';
import type { DemoEndpoints } from '../cloud.js';
import { design1Style } from './design1.js';
import { design2Style } from './design2.js';
import { design3Style } from './design3.js';
import { syncStyle } from './sync.js';
import type { DemoStyle } from './types.js';

export type { AsyncStyle, DemoStyle, Downloaded, Listed, SyncStyle } from './types.js';

/** The style of `mode`; `concurrency` is the storage driver's limit of requests in flight (async designs). */
export function createStyle(mode: DemoMode, endpoints: DemoEndpoints, concurrency: number): DemoStyle {
  switch (mode) {
    case 'sync':
      return syncStyle(endpoints);
    case 'sync-bulk':
      return syncStyle(endpoints, 'sync-bulk', concurrency);
    case 'design1':
      return design1Style(endpoints, concurrency);
    case 'design2':
      return design2Style(endpoints, concurrency);
    case 'design3':
      return design3Style(endpoints, concurrency);
  }
}
