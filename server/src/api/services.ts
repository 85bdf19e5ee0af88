/**
 * The services routes use, each a named plugin (fastify-plugin, not encapsulated) that decorates
 * the instance with what the bootstrap built (server.ts `createServices`). Declared
 * dependencies make a missing or misordered registration fail at start, naming the plugin.
 */
import fp from 'fastify-plugin';
import type { AlertService } from '../alerts/service.ts';
import type { Broker } from '../broker/embedded.ts';
import type { EventBus } from '../events/bus.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { StoredReading } from '../storage/repos/readings.ts';
import type { Sql } from '../storage/sql.ts';

export type { EventBus };

declare module 'fastify' {
  interface FastifyInstance {
    sql: Sql;
    events: EventBus;
    broker: Broker;
    /** Publishes the retained config of a gateway after its devices changed. */
    publishGatewayConfig(gatewayId: string): Promise<void>;
    ingest: Ingest;
    /**
     * Rows that became a patient's readings outside ingest (a new binding attached them): the
     * same consumers as ingest's commits hear of them (alert rules, aggregate refresh).
     */
    readingsStored(rows: StoredReading[]): void;
    alerts: AlertService;
  }
}

export const databasePlugin = fp<{ sql: Sql }>(
  async (app, o) => {
    app.decorate('sql', o.sql);
  },
  { name: 'database', fastify: '5.x' },
);

export const eventsPlugin = fp<{ events: EventBus }>(
  async (app, o) => {
    app.decorate('events', o.events);
  },
  { name: 'events', fastify: '5.x' },
);

export const brokerPlugin = fp<{ broker: Broker; publishGatewayConfig(gatewayId: string): Promise<void> }>(
  async (app, o) => {
    app.decorate('broker', o.broker);
    app.decorate('publishGatewayConfig', o.publishGatewayConfig);
  },
  { name: 'broker', fastify: '5.x', dependencies: ['database'] },
);

export const ingestPlugin = fp<{ ingest: Ingest; readingsStored(rows: StoredReading[]): void }>(
  async (app, o) => {
    app.decorate('ingest', o.ingest);
    app.decorate('readingsStored', o.readingsStored);
  },
  { name: 'ingest', fastify: '5.x', dependencies: ['database', 'broker', 'events'] },
);

export const alertsPlugin = fp<{ alerts: AlertService }>(
  async (app, o) => {
    app.decorate('alerts', o.alerts);
  },
  { name: 'alerts', fastify: '5.x', dependencies: ['database'] },
);
