/** Schemas of the network report: evaluation indicators of a regional care network. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;
const Ratio = Type.Union([Type.Number(), Type.Null()]);

export const NetworkReportQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default 4 weeks before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default now' })),
  },
  closed,
);

export const Indicators = Type.Object(
  {
    members: Type.Object(
      {
        total: Type.Integer(),
        byProfession: Type.Record(Type.String(), Type.Integer()),
        perPhysician: Type.Record(Type.String(), Type.Number(), {
          description: 'members of each profession per physician (physician = 1); empty when there is no physician',
        }),
      },
      closed,
    ),
    patients: Type.Integer({ description: 'patients registered by the organisation(s)' }),
    teamSize: Type.Object(
      { mean: Ratio, median: Ratio, min: Ratio, max: Ratio },
      { ...closed, description: 'care-team members per patient; null without patients' },
    ),
    posts: Type.Object(
      {
        available: Type.Boolean(),
        count: Type.Integer({ description: 'posts of the care teams about the patients in the period' }),
        perPatientWeek: Ratio,
        note: Type.String(),
      },
      closed,
    ),
    acknowledgements: Type.Object(
      {
        count: Type.Integer({ description: 'alerts of the patients acknowledged in the period' }),
        perPatientWeek: Ratio,
      },
      closed,
    ),
    alarmLoad: Type.Object(
      {
        people: Type.Integer({ description: 'members who were paged at least once in the period' }),
        pages: Type.Integer({ description: 'pages delivered (one step of one alert to one person, any channels)' }),
        perPersonWeek: Ratio,
        maxPerPersonWeek: Ratio,
      },
      { ...closed, description: 'a fatigue signal: pages delivered per paged person per week' },
    ),
  },
  closed,
);

export const NetworkReport = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    weeks: Type.Number(),
    notice: Type.Object(
      { en: Type.String(), ja: Type.String() },
      { ...closed, description: 'how to read the numbers' },
    ),
    organisations: Type.Array(
      Type.Object(
        { organisationId: Type.String({ format: 'uuid' }), name: Type.String(), indicators: Indicators },
        closed,
      ),
      { description: 'each organisation the caller administers' },
    ),
    region: Type.Object(
      {
        organisations: Type.Array(
          Type.Object({ organisationId: Type.String({ format: 'uuid' }), name: Type.String() }, closed),
        ),
        indicators: Indicators,
      },
      {
        ...closed,
        description:
          "the caller's organisations and every organisation with a member on the care team of a patient they registered",
      },
    ),
  },
  closed,
);

export const report = {
  summary:
    'Network report: members by profession per physician, team sizes, acknowledgements per patient-week, alarm load per paged person per week (organisation administrators)',
  tags: ['reports'],
  querystring: NetworkReportQuery,
  response: { 200: NetworkReport, ...ERROR_RESPONSES },
};
