/** Schemas of the team timeline (issue 15): posts, the feed, receipts, edits, photos, copy-as-text. */
import { Type } from 'typebox';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const Sensitivity = Type.Union([Type.Literal('team'), Type.Literal('clinical'), Type.Literal('restricted')], {
  description: 'team < clinical < restricted: who of the care team sees it (their clearance must reach it)',
});
const Kind = Type.Union(
  [
    Type.Literal('post'),
    Type.Literal('alert'),
    Type.Literal('observation'),
    Type.Literal('event'),
    Type.Literal('digest'),
    Type.Literal('absence'),
  ],
  { description: 'post (the team), or a system item: alert, observation, event (gateway/device), digest, absence' },
);
const Uuid = Type.String({ format: 'uuid' });
const Time = Type.String({ format: 'date-time' });
const Lang = Type.Optional(
  Type.Union([Type.Literal('ja'), Type.Literal('en')], { description: "default: the caller's language" }),
);

export const ItemParams = Type.Object(
  { itemId: Type.String({ maxLength: 100, description: 'timeline item id (uuid); any other value is not found' }) },
  closed,
);
export const PhotoParams = Type.Object(
  { itemId: Type.String({ maxLength: 100 }), photoId: Type.String({ maxLength: 100 }) },
  closed,
);

const FieldValue = Type.Union([Type.Number(), Type.String({ maxLength: 2000 })]);
const Fields = Type.Record(Type.String({ maxLength: 64 }), FieldValue, {
  description: "the template's structured fields by key",
});
const Json = Type.Record(Type.String(), Type.Unknown());

export const Snapshot = Type.Union(
  [
    Type.Literal('latest', { description: 'the latest value of every metric now' }),
    Type.Literal('day', { description: 'the summary of the last 24 hours' }),
    Type.Literal('none', { description: 'no snapshot even if the template asks for one' }),
    Type.Object({ from: Time, to: Time }, { ...closed, description: 'the summary of this period' }),
  ],
  { description: 'vitals inserted as a frozen snapshot (default: what the template asks for)' },
);

export const NewPost = Type.Object(
  {
    body: Type.String({ maxLength: 10_000, description: 'the text; may be empty when a template is filled in' }),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
    template: Type.Optional(Type.String({ maxLength: 64 })),
    fields: Type.Optional(Fields),
    sensitivity: Type.Optional(Sensitivity),
    replyTo: Type.Optional(Type.String({ format: 'uuid', description: 'a post of this patient (one level)' })),
    mentions: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        maxItems: 20,
        description: 'user ids of care-team members to notify through their contacts',
      }),
    ),
    snapshot: Type.Optional(Snapshot),
  },
  closed,
);

export const PostChanges = Type.Object(
  {
    body: Type.Optional(Type.String({ maxLength: 10_000 })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
    fields: Type.Optional(Fields),
    sensitivity: Type.Optional(Sensitivity),
  },
  closed,
);

export const Withdrawal = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, description: 'why it is withdrawn (kept, shown)' }) },
  closed,
);

const Person = Type.Object({ id: Uuid, displayName: Type.String(), profession: Type.Optional(Type.String()) }, closed);

export const Photo = Type.Object(
  {
    id: Uuid,
    contentType: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
    url: Type.String({ description: 'access-checked download (bearer token); ?size=thumbnail for the thumbnail' }),
  },
  closed,
);

export const Item = Type.Object(
  {
    id: Uuid,
    patientId: Uuid,
    kind: Kind,
    time: Time,
    sensitivity: Sensitivity,
    audience: Type.String({ description: 'care_team (a future family audience is planned: docs/timeline.md)' }),
    author: Type.Optional(Person),
    body: Type.String({ description: 'empty when withdrawn' }),
    tags: Type.Array(Type.String()),
    template: Type.Optional(Type.String()),
    fields: Type.Optional(Fields),
    snapshot: Type.Optional(Json),
    detail: Type.Optional(Json),
    replyTo: Type.Optional(Uuid),
    mentions: Type.Array(Uuid),
    photos: Type.Array(Photo),
    edited: Type.Boolean(),
    editedAt: Type.Optional(Time),
    revision: Type.Integer(),
    withdrawn: Type.Optional(Type.Object({ at: Time, by: Type.Optional(Uuid), reason: Type.String() }, closed)),
    read: Type.Boolean({ description: 'read by the caller' }),
    readCount: Type.Integer(),
    replyCount: Type.Integer(),
  },
  closed,
);

export const ItemWithReceipts = Type.Object(
  {
    ...Item.properties,
    readBy: Type.Array(Type.Object({ userId: Uuid, displayName: Type.String(), at: Time }, closed)),
    notReadBy: Type.Array(Type.Object({ userId: Uuid, displayName: Type.String() }, closed), {
      description: 'care-team members whose clearance reaches the item and who have not read it',
    }),
    replies: Type.Array(Item),
  },
  closed,
);

export const TimelineQuery = Type.Object(
  {
    before: Type.Optional(
      Type.String({ maxLength: 200, description: 'an ISO time, or the `next` cursor of the previous page' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'default 50' })),
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'text the item contains (Japanese or English; substring of the NFKC lower-case form)',
      }),
    ),
    tag: Type.Optional(Type.String({ maxLength: 64 })),
    author: Type.Optional(Type.String({ format: 'uuid' })),
    kind: Type.Optional(Type.String({ maxLength: 100, description: 'one kind or several, comma-separated' })),
    from: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })),
  },
  closed,
);

export const Page = Type.Object(
  { items: Type.Array(Item), next: Type.Optional(Type.String({ description: 'pass as `before` for the next page' })) },
  closed,
);

export const Unread = Type.Object(
  {
    total: Type.Integer(),
    patients: Type.Array(
      Type.Object(
        {
          patientId: Uuid,
          displayName: Type.String(),
          unread: Type.Integer(),
          newest: Type.String({
            format: 'date-time',
            description: 'the time of the newest post counted (it may be read by now)',
          }),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'unread posts by others since you joined each care team, within your clearance' },
);

const TagDef = Type.Object({ key: Type.String(), ja: Type.String(), en: Type.String() }, closed);
const TemplateField = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    ja: Type.String({ minLength: 1, maxLength: 100 }),
    en: Type.String({ minLength: 1, maxLength: 100 }),
    type: Type.Union([Type.Literal('text'), Type.Literal('number')]),
  },
  closed,
);
const TemplateDef = Type.Object(
  {
    key: Type.String(),
    ja: Type.String(),
    en: Type.String(),
    fields: Type.Array(TemplateField),
    sensitivity: Sensitivity,
    snapshot: Type.Union([Type.Literal('latest'), Type.Literal('day'), Type.Null()]),
  },
  closed,
);
const NewTag = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    ja: Type.String({ minLength: 1, maxLength: 100 }),
    en: Type.String({ minLength: 1, maxLength: 100 }),
  },
  closed,
);
const NewTemplate = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    ja: Type.String({ minLength: 1, maxLength: 100 }),
    en: Type.String({ minLength: 1, maxLength: 100 }),
    fields: Type.Array(TemplateField, { minItems: 1, maxItems: 20 }),
    sensitivity: Sensitivity,
    snapshot: Type.Optional(Type.Union([Type.Literal('latest'), Type.Literal('day'), Type.Null()])),
  },
  closed,
);
const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 100 }) }, closed);

const tags = ['timeline'];

export const createPost = {
  summary:
    'Post to the patient’s timeline (any member of the care team): text, tags, a template’s fields, a frozen vitals snapshot, a reply (one level), mentions',
  tags,
  params: PatientParams,
  body: NewPost,
  response: { 201: Item, ...ERROR_RESPONSES },
};

export const list = {
  summary:
    'The patient’s timeline, newest first: posts and system items the caller’s clearance reaches; search by text, tag, author, kind and period',
  tags,
  params: PatientParams,
  querystring: TimelineQuery,
  response: { 200: Page, ...ERROR_RESPONSES },
};

export const item = {
  summary: 'One timeline item with who has read it, who has not, and its replies',
  tags,
  params: ItemParams,
  response: { 200: ItemWithReceipts, ...ERROR_RESPONSES },
};

export const replies = {
  summary: 'The replies to a post, oldest first',
  tags,
  params: ItemParams,
  response: { 200: Type.Object({ items: Type.Array(Item) }, closed), ...ERROR_RESPONSES },
};

export const revisions = {
  summary: 'What an edited post said before each edit, oldest first',
  tags,
  params: ItemParams,
  response: {
    200: Type.Object(
      {
        revisions: Type.Array(
          Type.Object(
            {
              revision: Type.Integer(),
              body: Type.String(),
              tags: Type.Array(Type.String()),
              fields: Type.Optional(Fields),
              sensitivity: Sensitivity,
              writtenAt: Time,
            },
            closed,
          ),
        ),
      },
      closed,
    ),
    ...ERROR_RESPONSES,
  },
};

export const read = {
  summary: 'Mark the item read by the caller ("確認しました")',
  tags,
  params: ItemParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const edit = {
  summary: 'Edit one’s own post: the earlier version is kept and the post shows as edited',
  tags,
  params: ItemParams,
  body: PostChanges,
  response: { 200: Item, ...ERROR_RESPONSES },
};

export const withdraw = {
  summary:
    'Withdraw a post (its author, or the attending physician or lead): never deleted, shown as withdrawn with the reason',
  tags,
  params: ItemParams,
  body: Withdrawal,
  response: { 200: Item, ...ERROR_RESPONSES },
};

export const ack = {
  summary:
    'Acknowledge the alert of an alert item, with an optional comment: the same action as POST /api/v1/alerts/{id}/ack',
  tags,
  params: ItemParams,
  body: Type.Optional(Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, closed)),
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const unread = {
  summary: 'My unread posts across the patients of my care teams, counted per patient',
  tags,
  response: { 200: Unread, ...ERROR_RESPONSES },
};

export const catalogueTags = {
  summary: 'The tags a post of this patient may carry: built-in and the organisations’ own, in Japanese and English',
  tags,
  params: PatientParams,
  response: { 200: Type.Object({ tags: Type.Array(TagDef) }, closed), ...ERROR_RESPONSES },
};

export const catalogueTemplates = {
  summary:
    'The post templates for this patient: built-in and the organisations’ own, with fields and default sensitivity',
  tags,
  params: PatientParams,
  response: { 200: Type.Object({ templates: Type.Array(TemplateDef) }, closed), ...ERROR_RESPONSES },
};

export const addTag = {
  summary: 'Add an organisation’s own tag (its administrators)',
  tags,
  params: OrgParams,
  body: NewTag,
  response: { 201: TagDef, ...ERROR_RESPONSES },
};

export const addTemplate = {
  summary: 'Add an organisation’s own post template (its administrators)',
  tags,
  params: OrgParams,
  body: NewTemplate,
  response: { 201: TemplateDef, ...ERROR_RESPONSES },
};

export const itemText = {
  summary: 'The item as plain text for pasting into another system’s record',
  tags,
  params: ItemParams,
  querystring: Type.Object({ lang: Lang }, closed),
  response: { 200: Type.Object({ text: Type.String() }, closed), ...ERROR_RESPONSES },
};

export const summaryText = {
  summary: 'A period’s vitals summary as plain text ("本日のバイタル: 血圧 132/84 ..."); default the last 24 hours',
  tags,
  params: PatientParams,
  querystring: Type.Object(
    {
      from: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })),
      to: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })),
      lang: Lang,
    },
    closed,
  ),
  response: { 200: Type.Object({ text: Type.String(), from: Time, to: Time }, closed), ...ERROR_RESPONSES },
};

export const uploadPhoto = {
  summary:
    'Attach a photo to one’s own post: the raw JPEG, PNG or WebP as the body (at most 8 MB), re-encoded without EXIF/GPS, with a thumbnail',
  tags,
  params: ItemParams,
  body: Type.Unknown({
    description: 'the image bytes (Content-Type image/jpeg, image/png, image/webp or application/octet-stream)',
  }),
  response: { 201: Photo, ...ERROR_RESPONSES },
};

export const downloadPhoto = {
  summary: 'A photo of a post (the same access as the post); ?size=thumbnail for the thumbnail',
  tags,
  params: PhotoParams,
  querystring: Type.Object(
    { size: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('thumbnail')])) },
    closed,
  ),
  response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...ERROR_RESPONSES },
};

export const digestTime = {
  summary: 'When the daily notable-readings digest is posted (patient-local HH:MM; default 07:00)',
  tags,
  params: PatientParams,
  body: Type.Object({ time: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }) }, closed),
  response: { 200: Type.Object({ time: Type.String() }, closed), ...ERROR_RESPONSES },
};
