/** Schemas of sign-in (password, second factor, invitations), sessions and the caller's own account. */
import { Type } from 'typebox';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;
const Locale = Type.Union([Type.Literal('ja'), Type.Literal('en')]);
const Time = Type.String({ format: 'date-time' });

export const LoginBody = Type.Object(
  { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
  closed,
);

const LoginUser = Type.Object(
  { id: Type.String({ format: 'uuid' }), displayName: Type.String(), email: Type.String(), locale: Locale },
  closed,
);

export const SessionAnswer = Type.Object(
  {
    token: Type.String({ description: 'send as Authorization: Bearer <token>; also set as the session cookie' }),
    user: LoginUser,
    mfaEnrolmentRequired: Type.Optional(
      Type.Literal(true, {
        description:
          'the account must enrol a second factor first: until then the session reaches only /me, the TOTP enrolment, the password change, the session list and logout',
      }),
    ),
  },
  closed,
);

export const MfaChallenge = Type.Object(
  {
    mfaRequired: Type.Literal(true),
    mfaToken: Type.String({ description: 'send with a code to POST /api/v1/auth/login/mfa within 5 minutes' }),
  },
  closed,
);

export const MfaBody = Type.Object(
  {
    mfaToken: Type.String({ maxLength: 256 }),
    code: Type.String({
      maxLength: 32,
      description: 'the 6-digit code of the authenticator app, or one of the recovery codes',
    }),
  },
  closed,
);

export const Me = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    displayName: Type.String(),
    email: Type.String(),
    locale: Locale,
    profession: Type.String(),
    organisations: Type.Array(
      Type.Object(
        {
          organisationId: Type.String({ format: 'uuid' }),
          name: Type.String(),
          role: Type.Union([Type.Literal('admin'), Type.Literal('staff')]),
        },
        closed,
      ),
    ),
    mfa: Type.Object(
      {
        enrolled: Type.Boolean(),
        required: Type.Boolean({ description: 'administrators, and members of organisations that require it' }),
        sessionLimitedToEnrolment: Type.Boolean(),
      },
      closed,
    ),
    kind: Type.Union([Type.Literal('person'), Type.Literal('display')], {
      description: '`display`: a wall display signed in with its credential; it can only read',
    }),
    initialsOnly: Type.Boolean({ description: 'a wall display that shows patients by their initials' }),
  },
  closed,
);

export const TotpEnrolment = Type.Object(
  {
    secret: Type.String({ description: 'base32; type it into the authenticator app, or use the URI' }),
    otpauthUri: Type.String({ description: 'otpauth:// URI for a QR code' }),
  },
  closed,
);

export const CodeBody = Type.Object({ code: Type.String({ maxLength: 32 }) }, closed);

export const RecoveryCodes = Type.Object(
  {
    recoveryCodes: Type.Array(Type.String(), {
      description: 'shown once: each signs in once in place of a code, when the phone is lost',
    }),
  },
  closed,
);

export const AcceptBody = Type.Object(
  {
    token: Type.String({ maxLength: 256 }),
    password: Type.String({
      maxLength: 1024,
      description: 'the new password (12 to 128 characters); for a membership of another organisation, the current one',
    }),
  },
  closed,
);

export const PasswordBody = Type.Object(
  { currentPassword: Type.String({ maxLength: 1024 }), newPassword: Type.String({ maxLength: 1024 }) },
  closed,
);

export const Session = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    createdAt: Time,
    lastSeenAt: Time,
    expiresAt: Type.String({ format: 'date-time', description: 'the absolute end, however active the session is' }),
    idleExpiresAt: Type.String({ format: 'date-time', description: 'the end if unused until then' }),
    ip: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    current: Type.Boolean(),
  },
  closed,
);

export const SessionParams = Type.Object({ id: Type.String({ maxLength: 100 }) }, closed);

const signIn = { tags: ['auth'], security: [] };

export const displaySignIn = {
  summary: "Sign a wall display in with its credential (the token in the display's link)",
  description:
    'A wall display (kiosk) created by an organisation administrator (POST /api/v1/organisations/{orgId}/displays) signs in with its credential: the session lasts 30 days, does not end when idle, and can only read.',
  ...signIn,
  body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }) }, closed),
  response: { 200: SessionAnswer, ...ERROR_RESPONSES },
};

export const login = {
  summary: 'Sign in with email and password',
  description:
    'Answers a session, or a challenge for the second factor when the account has one. Five failures in a row lock the account for 15 minutes (then 30, 60, …): 429 until then, even with the right password.',
  ...signIn,
  body: LoginBody,
  response: { 200: Type.Union([SessionAnswer, MfaChallenge]), ...ERROR_RESPONSES },
};

export const loginMfa = {
  summary: 'Second sign-in step: the code of the authenticator app or a recovery code',
  description: 'Each code is accepted once. Wrong codes count towards the account lock-out.',
  ...signIn,
  body: MfaBody,
  response: { 200: SessionAnswer, ...ERROR_RESPONSES },
};

export const acceptInvitation = {
  summary: 'Accept an invitation or a password reset: set the password, get a session (or the second-factor step)',
  description: '410 when the token was used or has expired: ask the administrator for a new one.',
  ...signIn,
  body: AcceptBody,
  response: { 200: Type.Union([SessionAnswer, MfaChallenge]), ...ERROR_RESPONSES },
};

export const logout = {
  summary: 'End the session of the token or cookie sent',
  tags: ['auth'],
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const me = {
  summary: 'The signed-in caller, their organisations and second factor',
  tags: ['auth'],
  response: { 200: Me, ...ERROR_RESPONSES },
};

export const totpEnrol = {
  summary: 'Start enrolling a TOTP second factor: a new secret, confirmed with a code',
  tags: ['auth'],
  response: { 200: TotpEnrolment, ...ERROR_RESPONSES },
};

export const totpConfirm = {
  summary: 'Confirm the TOTP enrolment with a code; answers the recovery codes, once',
  tags: ['auth'],
  body: CodeBody,
  response: { 200: RecoveryCodes, ...ERROR_RESPONSES },
};

export const changePassword = {
  summary: "Change the caller's password; the caller's other sessions end",
  tags: ['auth'],
  body: PasswordBody,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const listSessions = {
  summary: "The caller's sessions",
  tags: ['auth'],
  response: { 200: Type.Array(Session), ...ERROR_RESPONSES },
};

export const endSession = {
  summary: "End one of the caller's sessions",
  tags: ['auth'],
  params: SessionParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
