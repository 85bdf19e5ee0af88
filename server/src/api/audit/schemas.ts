/** Schemas of the audit log as organisation administrators read and export it. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const filters = {
  patientId: Type.Optional(Type.String({ format: 'uuid', description: 'rows about this patient' })),
  userId: Type.Optional(Type.String({ format: 'uuid', description: 'rows of this user' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'rows written at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'rows written before' })),
  before: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1, description: 'only rows with a smaller id (the next page)' }),
  ),
};

export const AuditQuery = Type.Object(
  {
    ...filters,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 100' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'default json' })),
  },
  closed,
);

export const AuditExportQuery = Type.Object(filters, closed);

export const AuditEntry = Type.Object(
  {
    id: Type.Integer({ description: 'newest first; send the last one as `before` for the next page' }),
    time: Type.String({ format: 'date-time' }),
    userId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: 'null: no user (a failed sign-in of an unknown email, the server itself)',
    }),
    organisationId: Type.Optional(Type.String({ format: 'uuid' })),
    patientId: Type.Optional(Type.String({ format: 'uuid' })),
    action: Type.String({ description: 'what was done, e.g. patient.read.latest, silence.create, audit.read' }),
    target: Type.Optional(Type.String({ description: 'the id of what was read or changed' })),
    detail: Type.Optional(Type.Unknown({ description: 'what changed, as the action records it' })),
    ip: Type.Optional(Type.String()),
  },
  closed,
);

const Csv = Type.String({
  description:
    "text/csv; UTF-8 with a byte-order mark, a header row, every cell quoted, cells starting with = + - @ prefixed with '",
});

const tags = ['audit'];

export const list = {
  summary:
    "The audit log of the caller's organisations, newest first (organisation administrators; reading it is audited)",
  description:
    'Rows written for one of the organisations the caller administers, and rows about a patient one of them ' +
    'registered or has a member on the care team of. `format=csv` answers as GET /api/v1/audit.csv.',
  tags,
  querystring: AuditQuery,
  response: {
    200: {
      content: {
        'application/json': { schema: Type.Array(AuditEntry) },
        'text/csv': { schema: Csv },
      },
    },
    ...ERROR_RESPONSES,
  },
};

export const exportCsv = {
  summary: 'The same rows as GET /api/v1/audit, every page, streamed as CSV (organisation administrators; audited)',
  tags,
  querystring: AuditExportQuery,
  response: { 200: { content: { 'text/csv': { schema: Csv } } }, ...ERROR_RESPONSES },
};
