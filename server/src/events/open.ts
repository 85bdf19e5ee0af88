/** The event bus a server uses: across instances on a PostgreSQL server, in process on the embedded database. */
import type { Logger } from 'pino';
import type { Sql } from '../storage/sql.ts';
import { createEventBus, type EventBus } from './bus.ts';
import { postgresTransport } from './postgres-transport.ts';

export function openEventBus(o: { sql: Sql; log: Logger }): Promise<EventBus> {
  const transport = postgresTransport(o);
  return createEventBus({ log: o.log.child({ component: 'events' }), ...(transport ? { transport } : {}) });
}
