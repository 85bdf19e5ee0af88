/** Schemas of a patient's care team (shared/CONTRACT.md "Care team"). */
import { Type } from 'typebox';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const TeamRole = Type.Union(
  [Type.Literal('attending_physician'), Type.Literal('lead'), Type.Literal('member')],
  { description: 'attending physician (主治医), team lead, member' },
);
export const Clearance = Type.Union([Type.Literal('team'), Type.Literal('clinical'), Type.Literal('restricted')], {
  description: 'the most sensitive level the member sees: team < clinical < restricted',
});

export const Member = Type.Object(
  {
    userId: Type.String({ format: 'uuid' }),
    displayName: Type.String(),
    profession: Type.String(),
    organisationId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: "the member's organisation: the patient's when they belong to it, else their first",
    }),
    teamRole: TeamRole,
    clearance: Clearance,
    kind: Type.Union([Type.Literal('person'), Type.Literal('display')], {
      description: '`display`: a wall display showing the patient (it reads, is never paged or mentioned)',
    }),
  },
  closed,
);

export const NewMember = Type.Object(
  {
    userId: Type.String({ maxLength: 100, description: 'a user of any organisation' }),
    teamRole: Type.Optional(TeamRole),
    clearance: Type.Optional(
      Type.Union([Type.Literal('team'), Type.Literal('clinical'), Type.Literal('restricted')], {
        description: "default by profession, at most the caller's own",
      }),
    ),
  },
  closed,
);

export const MemberParams = Type.Object(
  {
    id: Type.String({ maxLength: 100, description: 'patient id (uuid)' }),
    userId: Type.String({ maxLength: 100, description: 'the member to remove (uuid)' }),
  },
  closed,
);

const tags = ['care team'];

export const list = {
  summary: "A patient's care team, attending physicians first",
  tags,
  params: PatientParams,
  response: { 200: Type.Array(Member), ...ERROR_RESPONSES },
};

export const add = {
  summary: 'Add a member to the care team, or change their role or clearance (attending physician or lead)',
  tags,
  params: PatientParams,
  body: NewMember,
  response: { 200: Member, 201: Member, ...ERROR_RESPONSES },
};

export const remove = {
  summary: 'Remove a member from the care team (attending physician or lead); the last attending physician stays',
  tags,
  params: MemberParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
