/** The caller of a request as the routes see it: set once per request by the auth plugin. */
import type { UserRow } from '../storage/repos/people.ts';

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
  interface FastifyRequest {
    /** The logged-in caller, or null. */
    user: AuthUser | null;
    /** The stored hash of the caller's session token, when the request carries a live session. */
    sessionId: string | null;
  }
}
