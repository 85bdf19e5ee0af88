-- Issue 13: sign-in as the MHLW guideline v6.0 and OWASP ASVS L2 ask, people and organisations.

-- The contract's professions and organisation kinds (CONTRACT.md "Server start and HTTP API v1").
ALTER TABLE users DROP CONSTRAINT users_profession_check;
ALTER TABLE users ADD CONSTRAINT users_profession_check CHECK (profession IN ('physician','dentist',
  'nurse','pharmacist','care_manager','therapist','dietitian','dental_hygienist','care_worker',
  'social_worker','clerk','other'));
-- The API takes the contract's 'nursing_station'; rows and kits written before keep 'nurse_station'.
ALTER TABLE organisations DROP CONSTRAINT organisations_kind_check;
ALTER TABLE organisations ADD CONSTRAINT organisations_kind_check CHECK (kind IN ('clinic','hospital',
  'nursing_station','nurse_station','pharmacy','care_management','care_facility','dental_clinic',
  'municipality','other'));

-- Organisation policy: every member must sign in with a second factor.
ALTER TABLE organisations ADD COLUMN require_mfa boolean NOT NULL DEFAULT false;

-- TOTP (RFC 6238). The secret is kept as the authenticator app has it (base32): the server must
-- compute codes from it, so it cannot be hashed. totp_last_step is the time step of the last
-- accepted code: a code of that step or an earlier one is refused (single use, ASVS 2.8.4).
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE users ADD COLUMN totp_last_step bigint;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;

CREATE TABLE recovery_codes (
  user_id     uuid NOT NULL REFERENCES users(id),
  code_hash   text NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, code_hash)
);

-- Between the password and the second factor: a short-lived token naming the user.
CREATE TABLE mfa_challenges (
  token_hash  text PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users(id),
  expires_at  timestamptz NOT NULL,
  failures    integer NOT NULL DEFAULT 0,
  ip          text
);

-- Soft lock-out per account, in the database so that it holds across server instances. Keyed by
-- the normalised email, not the user, so an unknown email locks the same way (no enumeration).
CREATE TABLE login_failures (
  email            text PRIMARY KEY,
  failures         integer NOT NULL DEFAULT 0,
  last_failure_at  timestamptz NOT NULL DEFAULT now(),
  locked_until     timestamptz
);

-- Sessions: an id to list and revoke them by (never the token's hash), idle timeout from
-- last_seen_at, absolute lifetime in expires_at, and sessions that may only enrol a second factor
-- (an administrator without one).
ALTER TABLE sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE sessions ADD COLUMN enrol_only boolean NOT NULL DEFAULT false;
ALTER TABLE sessions ADD COLUMN user_agent text;
CREATE UNIQUE INDEX sessions_id ON sessions (id);

-- Invitations and password resets: one-time tokens, only their hash stored.
CREATE TABLE invitations (
  token_hash       text PRIMARY KEY,
  user_id          uuid NOT NULL REFERENCES users(id),
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  purpose          text NOT NULL CHECK (purpose IN ('invite','reset','join')),
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  created_by       uuid REFERENCES users(id),
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_by_user ON invitations (user_id);
