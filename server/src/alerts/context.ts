/** What the alert and notification modules share at run time. */
import type { Logger } from 'pino';
import type { AlertConfig } from '../notify/settings.ts';
import type { Sql } from '../storage/sql.ts';
import type { Clock } from './clock.ts';

export interface AlertContext {
  sql: Sql;
  log: Logger;
  clock: Clock;
  config: AlertConfig;
  /** Asks the delivery worker to run soon (something was queued). */
  kick(): void;
  /** The key acknowledgement links are signed with. */
  linkSecret(): Promise<string>;
}
