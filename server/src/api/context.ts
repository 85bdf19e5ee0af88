/** The caller of a request as the routes see it: set once per request by the auth plugin. */
import type { Membership, UserRow } from '../storage/repos/people.ts';

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  profession: string;
  locale: 'ja' | 'en';
  /** Organisations with the user's role in each. */
  memberships: { organisationId: string; name: string; role: 'admin' | 'staff' }[];
  /** A confirmed second factor (TOTP). */
  mfaEnrolled: boolean;
  /** An administrator (VITALS_ADMIN_MFA) or a member of an organisation whose policy requires a second factor. */
  mfaRequired: boolean;
}

export function toAuthUser(u: UserRow, memberships: Membership[], adminMfa = true): AuthUser {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    profession: u.profession,
    locale: u.locale,
    memberships: memberships.map((m) => ({ organisationId: m.organisation_id, name: m.name, role: m.role })),
    mfaEnrolled: u.totp_enabled_at !== null,
    mfaRequired: memberships.some((m) => m.require_mfa || (adminMfa && m.role === 'admin')),
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in caller, or null. */
    user: AuthUser | null;
    /** The stored hash of the caller's session token, when the request carries a live session. */
    sessionId: string | null;
    /** The session may only enrol a second factor (an administrator without one). */
    sessionEnrolOnly: boolean;
  }
  interface FastifyContextConfig {
    /** The route works in a session limited to enrolling a second factor (api/auth/session.ts). */
    duringMfaEnrolment?: boolean;
  }
}
