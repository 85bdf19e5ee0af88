/** Schemas of organisations and their staff: creation, policy, invitations, roles, disabling, resets. */
import { Type } from 'typebox';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

/** The contract's professions (CONTRACT.md "Server start and HTTP API v1"). */
export const PROFESSIONS = [
  'physician',
  'dentist',
  'nurse',
  'pharmacist',
  'care_manager',
  'therapist',
  'dietitian',
  'dental_hygienist',
  'care_worker',
  'social_worker',
  'clerk',
  'other',
] as const;
export const Profession = Type.Union(PROFESSIONS.map((p) => Type.Literal(p)));

export const ORGANISATION_KINDS = [
  'clinic',
  'hospital',
  'nursing_station',
  'pharmacy',
  'care_management',
  'care_facility',
  'dental_clinic',
  'municipality',
] as const;

const Role = Type.Union([Type.Literal('admin'), Type.Literal('staff')]);

export const OrganisationParams = Type.Object({ orgId: Type.String({ maxLength: 100 }) }, closed);
export const StaffParams = Type.Object(
  { orgId: Type.String({ maxLength: 100 }), userId: Type.String({ maxLength: 100 }) },
  closed,
);

export const NewOrganisation = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Union(ORGANISATION_KINDS.map((k) => Type.Literal(k))),
  },
  closed,
);

export const OrganisationChange = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    requireMfa: Type.Optional(
      Type.Boolean({ description: 'every member must sign in with a second factor (administrators always must)' }),
    ),
  },
  closed,
);

export const Organisation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    kind: Type.String(),
    requireMfa: Type.Boolean(),
  },
  closed,
);

export const NewStaff = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    profession: Profession,
    role: Type.Optional(Role),
    sendEmail: Type.Optional(
      Type.Boolean({
        description:
          'also e-mail the person a link (VITALS_SMTP_URL): its token is made when the mail goes out and ends with the invitation',
      }),
    ),
  },
  closed,
);

export const Invitation = Type.Object(
  {
    token: Type.String({ description: 'one-time; give it to the person (the dashboard link carries it)' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  closed,
);

export const Invited = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: "the user's id" }),
    invitation: Invitation,
    existingAccount: Type.Boolean({
      description: 'the person already had an account: they confirm the membership with their password',
    }),
    emailQueued: Type.Optional(
      Type.Boolean({ description: 'sendEmail: a mail was queued (true), or no mail server is set up (false)' }),
    ),
  },
  closed,
);

export const Staff = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    displayName: Type.String(),
    profession: Type.String(),
    role: Role,
    disabled: Type.Boolean(),
    mfaEnrolled: Type.Boolean(),
    invitationPending: Type.Boolean({ description: 'invited, no password set yet' }),
  },
  closed,
);

export const RoleChange = Type.Object({ role: Role }, closed);

const tags = ['organisations'];

export const create = {
  summary: 'Create an organisation; the caller becomes its administrator',
  description:
    'Only an administrator of an existing organisation may create one (a new member of the regional network is set up by an administrator who then invites its own).',
  tags,
  body: NewOrganisation,
  response: { 201: Organisation, ...ERROR_RESPONSES },
};

export const change = {
  summary: 'Rename an organisation or set its sign-in policy (its administrators)',
  tags,
  params: OrganisationParams,
  body: OrganisationChange,
  response: { 200: Organisation, ...ERROR_RESPONSES },
};

export const invite = {
  summary: 'Invite a person by email (administrators of this organisation)',
  description:
    'A new person gets an account without a password and a one-time token to set one; a person who already has an account is added as a member and confirms with their password.',
  tags,
  params: OrganisationParams,
  body: NewStaff,
  response: { 201: Invited, ...ERROR_RESPONSES },
};

export const listStaff = {
  summary: "The organisation's staff (its administrators)",
  tags,
  params: OrganisationParams,
  response: { 200: Type.Array(Staff), ...ERROR_RESPONSES },
};

export const changeRole = {
  summary: "Change a member's role (its administrators); the last administrator stays one",
  tags,
  params: StaffParams,
  body: RoleChange,
  response: { 200: Staff, ...ERROR_RESPONSES },
};

export const disable = {
  summary: 'Disable a member: their sessions end at once (its administrators)',
  tags,
  params: StaffParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const resetSecondFactor = {
  summary:
    "Remove a member's second factor (a lost phone and lost recovery codes); their sessions end (its administrators)",
  description:
    'The person signs in with their password and, where a second factor is required, enrols a new one before anything else. Refused for someone who also works for an organisation the caller does not administer.',
  tags,
  params: StaffParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const resetPassword = {
  summary: "Reset a member's password: a new one-time token; their sessions end (its administrators)",
  tags,
  params: StaffParams,
  response: { 201: Invitation, ...ERROR_RESPONSES },
};
