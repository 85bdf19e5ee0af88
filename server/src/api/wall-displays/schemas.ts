/** Schemas of wall displays (kiosk credentials) of an organisation. */
import { Type } from 'typebox';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Time = Type.String({ format: 'date-time' });

const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 100 }) }, closed);
const DisplayParams = Type.Object(
  { orgId: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 100 }) },
  closed,
);

export const WallDisplay = Type.Object(
  {
    id: Uuid,
    organisationId: Uuid,
    displayName: Type.String({ description: 'where it hangs: "ナースステーション 壁面" / "nurse station wall"' }),
    initialsOnly: Type.Boolean({ description: 'patients are shown by their initials, never their full names' }),
    patients: Type.Integer({ description: 'care teams the display is on (the patients it shows)' }),
    createdAt: Time,
    createdBy: Type.Object({ id: Uuid, displayName: Type.String() }, closed),
    rotatedAt: Type.Optional(Time),
    lastSeenAt: Type.Optional(Time),
    revoked: Type.Boolean(),
  },
  closed,
);

const Credential = Type.Object(
  {
    token: Type.String({ description: 'shown once: the display signs in with it (POST /api/v1/auth/display)' }),
    kioskPath: Type.String({
      description:
        'open this path of the dashboard on the display (the token is in the fragment, never sent to a server log)',
    }),
  },
  closed,
);

export const NewWallDisplay = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    initialsOnly: Type.Optional(Type.Boolean({ default: false })),
  },
  closed,
);

export const list = {
  summary: "The organisation's wall displays",
  tags: ['wall-displays'],
  params: OrgParams,
  response: { 200: Type.Array(WallDisplay), ...ERROR_RESPONSES },
};

export const create = {
  summary: 'Create a wall display and its credential (shown once)',
  description:
    'A wall display is an account that can only read. It shows the patients whose care teams it is put on (POST /api/v1/patients/{id}/team with its id; clearance team), so each team sees which screens show their patient.',
  tags: ['wall-displays'],
  params: OrgParams,
  body: NewWallDisplay,
  response: { 201: Type.Object({ ...WallDisplay.properties, ...Credential.properties }, closed), ...ERROR_RESPONSES },
};

export const change = {
  summary: "Rename a wall display or change whether it shows patients' initials only",
  tags: ['wall-displays'],
  params: DisplayParams,
  body: Type.Object(
    {
      displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      initialsOnly: Type.Optional(Type.Boolean()),
    },
    closed,
  ),
  response: { 200: WallDisplay, ...ERROR_RESPONSES },
};

export const rotate = {
  summary: "Replace a wall display's credential: the old link stops working and its sessions end",
  tags: ['wall-displays'],
  params: DisplayParams,
  response: { 200: Credential, ...ERROR_RESPONSES },
};

export const revoke = {
  summary: 'Revoke a wall display: its sessions end at once and its link stops working',
  tags: ['wall-displays'],
  params: DisplayParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
