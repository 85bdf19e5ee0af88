/** Schemas of login, logout and the caller's own account. */
import { Type } from 'typebox';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const Locale = Type.Union([Type.Literal('ja'), Type.Literal('en')]);

export const LoginBody = Type.Object(
  { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);

export const LoginAnswer = Type.Object(
  {
    token: Type.String({ description: 'send as Authorization: Bearer <token>; also set as the session cookie' }),
    user: Type.Object(
      { id: Type.String({ format: 'uuid' }), displayName: Type.String(), email: Type.String(), locale: Locale },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
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
          role: Type.Union([Type.Literal('admin'), Type.Literal('staff')]),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const login = {
  summary: 'Log in with email and password',
  tags: ['auth'],
  security: [],
  body: LoginBody,
  response: { 200: LoginAnswer, ...ERROR_RESPONSES },
};

export const logout = {
  summary: 'End the session of the token or cookie sent',
  tags: ['auth'],
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const me = {
  summary: 'The logged-in caller and their organisations',
  tags: ['auth'],
  response: { 200: Me, ...ERROR_RESPONSES },
};
