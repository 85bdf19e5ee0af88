/** What the alert modules share at run time (notify/ extends it: notify/context.ts). */
import type { Logger } from 'pino';
import type { Sql } from '../storage/sql.ts';
import type { Clock } from './clock.ts';
import type { AlertConfig } from './config.ts';
import type { AlertNotifications } from './transitions.ts';

export interface AlertContext {
  sql: Sql;
  log: Logger;
  clock: Clock;
  config: AlertConfig;
  /** Where transitions are announced and pages asked for. */
  notifications: AlertNotifications;
  /** The key acknowledgement links are signed with (the ack-link route verifies with it). */
  linkSecret(): Promise<string>;
}
