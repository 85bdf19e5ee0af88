-- Issue 15: the team timeline, one feed per patient where the team's posts and the system's
-- items (alerts, observations, device events, absences, the daily digest) meet.

-- One row per item, posts and system items alike, so "the newest 50 of a patient" is one index
-- range. A system item names what it records in `source_key` (e.g. 'alert-event:123'), unique
-- per patient: written in the transaction of what it records or by an event subscriber, a
-- retry never makes a second one.
--
-- `audience` is who the item is for. Today only 'care_team'; a future family audience adds
-- 'family' to the CHECK (one ALTER, no rewrite) and a family member's reads add
-- `audience = 'family'` to the filter the team's reads do not need to change for.
CREATE TABLE timeline_items (
  id               uuid PRIMARY KEY,
  patient_id       uuid NOT NULL REFERENCES patients(id),
  kind             text NOT NULL CHECK (kind IN ('post','alert','observation','event','digest','absence')),
  time             timestamptz NOT NULL,
  audience         text NOT NULL DEFAULT 'care_team' CHECK (audience IN ('care_team')),
  sensitivity      text NOT NULL CHECK (sensitivity IN ('team','clinical','restricted')),
  author_id        uuid REFERENCES users(id),
  body             text NOT NULL DEFAULT '',
  tags             text[] NOT NULL DEFAULT '{}',
  template         text,
  fields           jsonb,
  snapshot         jsonb,
  detail           jsonb,
  source_key       text,
  reply_to         uuid REFERENCES timeline_items(id),
  mentions         uuid[] NOT NULL DEFAULT '{}',
  -- NFKC, lower case: body, tags, template fields and author, for substring search (docs/timeline.md).
  search_text      text NOT NULL DEFAULT '',
  revision         integer NOT NULL DEFAULT 0,
  edited_at        timestamptz,
  withdrawn_at     timestamptz,
  withdrawn_by     uuid REFERENCES users(id),
  withdraw_reason  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'post' OR reply_to IS NULL)
);
CREATE INDEX timeline_items_newest ON timeline_items (patient_id, time DESC, id DESC);
CREATE UNIQUE INDEX timeline_items_source ON timeline_items (patient_id, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX timeline_items_replies ON timeline_items (reply_to, time) WHERE reply_to IS NOT NULL;
-- "My unread": posts of a patient after a time, read-receipt anti-join per item.
CREATE INDEX timeline_items_posts ON timeline_items (patient_id, time) WHERE kind = 'post' AND withdrawn_at IS NULL;

-- Earlier versions of an edited post: revision n holds what the post said before edit n+1.
CREATE TABLE timeline_revisions (
  item_id      uuid NOT NULL REFERENCES timeline_items(id),
  revision     integer NOT NULL,
  body         text NOT NULL,
  tags         text[] NOT NULL,
  fields       jsonb,
  sensitivity  text NOT NULL,
  written_by   uuid REFERENCES users(id),
  written_at   timestamptz NOT NULL,
  PRIMARY KEY (item_id, revision)
);

-- "確認しました": who has read an item, once per member.
CREATE TABLE timeline_receipts (
  item_id  uuid NOT NULL REFERENCES timeline_items(id),
  user_id  uuid NOT NULL REFERENCES users(id),
  at       timestamptz NOT NULL,
  PRIMARY KEY (item_id, user_id)
);

-- Photos of a post, in the database with the post's access rule (never a public URL): the
-- image re-encoded without its metadata (EXIF, GPS) and a thumbnail.
CREATE TABLE timeline_photos (
  id            uuid PRIMARY KEY,
  item_id       uuid NOT NULL REFERENCES timeline_items(id),
  content_type  text NOT NULL CHECK (content_type IN ('image/jpeg','image/png','image/webp')),
  width         integer NOT NULL,
  height        integer NOT NULL,
  image         bytea NOT NULL,
  thumbnail     bytea NOT NULL,
  uploaded_by   uuid NOT NULL REFERENCES users(id),
  uploaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX timeline_photos_by_item ON timeline_photos (item_id);

-- An organisation's own tags and templates, beside the built-ins (api/timeline/catalogue.ts).
CREATE TABLE timeline_tags (
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  key              text NOT NULL,
  label_ja         text NOT NULL,
  label_en         text NOT NULL,
  PRIMARY KEY (organisation_id, key)
);
CREATE TABLE timeline_templates (
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  key              text NOT NULL,
  label_ja         text NOT NULL,
  label_en         text NOT NULL,
  fields           jsonb NOT NULL,
  sensitivity      text NOT NULL CHECK (sensitivity IN ('team','clinical','restricted')),
  snapshot         text CHECK (snapshot IN ('latest','day')),
  PRIMARY KEY (organisation_id, key)
);

-- The daily notable-readings digest per patient: when the team wants it (patient-local time)
-- and the last local day made. A maker locks the row (FOR UPDATE SKIP LOCKED), so several
-- instances make each day's digest once.
CREATE TABLE timeline_digest_state (
  patient_id  uuid PRIMARY KEY REFERENCES patients(id),
  local_time  text NOT NULL DEFAULT '07:00',
  last_day    date
);
