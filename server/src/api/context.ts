/** The caller of a request as the routes see it: set once per request by the auth plugin. */
import type { Membership, UserRow } from '../storage/repos/people.ts';
import { initialsOf } from '../text/initials.ts';

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
  /** `display`: a wall display (kiosk), which only reads; `person` otherwise. */
  kind: 'person' | 'display';
  /** A wall display that shows patients by their initials. */
  initialsOnly: boolean;
}

/** A patient's name as this caller may see it: initials on a wall display that asks for them. */
export function patientNameFor(viewer: Pick<AuthUser, 'initialsOnly'> | null | undefined, name: string): string {
  return viewer?.initialsOnly ? initialsOf(name) : name;
}

export function toAuthUser(
  u: UserRow,
  memberships: Membership[],
  adminMfa = true,
  display?: { initials_only: boolean },
): AuthUser {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    profession: u.profession,
    locale: u.locale,
    memberships: memberships.map((m) => ({ organisationId: m.organisation_id, name: m.name, role: m.role })),
    mfaEnrolled: u.totp_enabled_at !== null,
    // A display has no second factor: its credential is a device secret an administrator manages.
    mfaRequired: u.kind !== 'display' && memberships.some((m) => m.require_mfa || (adminMfa && m.role === 'admin')),
    kind: u.kind ?? 'person',
    initialsOnly: display?.initials_only ?? false,
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
    /** A wall display's session may call this route although it changes something (sign-out). */
    wallDisplayMay?: boolean;
  }
}
