/** What route modules need, decorated onto the fastify instance once. */
import type { Logger } from 'pino';
import type { Broker } from '../broker/embedded.ts';
import type { EventBus } from '../events/bus.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { UserRow } from '../storage/repos/people.ts';
import type { StoredReading } from '../storage/repos/readings.ts';
import type { Sql } from '../storage/sql.ts';

export interface AppDeps {
  sql: Sql;
  log: Logger;
  bus: EventBus;
  ingest: Ingest;
  broker: Broker;
  /** Publishes the retained config of a gateway after its devices changed. */
  publishGatewayConfig(gatewayId: string): Promise<void>;
  /**
   * Rows that became a patient's readings outside ingest (a new binding attached them): the
   * same consumers as ingest's commits hear of them (alert rules, aggregate refresh).
   */
  readingsStored(rows: StoredReading[]): void;
  sessionTtlSeconds: number;
}

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  profession: string;
  locale: 'ja' | 'en';
  /** Organisations with the user's role in each. */
  memberships: { organisationId: string; role: 'admin' | 'staff' }[];
}

export function toAuthUser(u: UserRow, memberships: { organisation_id: string; role: 'admin' | 'staff' }[]): AuthUser {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    profession: u.profession,
    locale: u.locale,
    memberships: memberships.map((m) => ({ organisationId: m.organisation_id, role: m.role })),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    user: AuthUser | null;
  }
}
