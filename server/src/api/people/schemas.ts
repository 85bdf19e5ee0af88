/** Schemas of the people search (finding colleagues of any organisation for a care team). */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const PeopleQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 100, description: 'part of the name (or of the email, for colleagues)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  closed,
);

export const Person = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    displayName: Type.String(),
    profession: Type.String(),
    email: Type.Optional(Type.String({ description: 'only for people who share an organisation with the caller' })),
    organisations: Type.Array(
      Type.Object({ organisationId: Type.String({ format: 'uuid' }), name: Type.String() }, closed),
    ),
    kind: Type.Union([Type.Literal('person'), Type.Literal('display')], {
      description: '`display`: a wall display of one of your organisations, to put on the care teams it shows',
    }),
  },
  closed,
);

export const search = {
  summary: 'Find people of every organisation by name, to add to a care team',
  tags: ['people'],
  querystring: PeopleQuery,
  response: { 200: Type.Array(Person), ...ERROR_RESPONSES },
};
