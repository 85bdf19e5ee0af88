/**
 * The organisations a caller acts for (issue 11): gateways, devices and dead letters are scoped
 * to them, so another organisation's look like none at all (404).
 */
import type { AuthUser } from './context.ts';

/** The organisations the user administers. */
export const administeredOrganisations = (u: AuthUser): string[] =>
  u.memberships.filter((m) => m.role === 'admin').map((m) => m.organisationId);

/** Every organisation the user belongs to, in any role. */
export const memberOrganisations = (u: AuthUser): string[] => u.memberships.map((m) => m.organisationId);
