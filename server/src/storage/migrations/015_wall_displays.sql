-- Wall displays (issue 13, the dashboard's kiosk mode): a screen in a nurse station or a clinic
-- that shows its patients without anyone signing in. A display is an account of kind `display`:
-- it sees a patient only when it is on that patient's care team (added like any member, with
-- clearance `team`, so the team sees which screens show their patient), it can only read, and it
-- signs in with a device credential an organisation administrator created, rotates and revokes.
ALTER TABLE users ADD COLUMN kind text NOT NULL DEFAULT 'person' CHECK (kind IN ('person','display'));

-- A display's session does not end when idle (it is watched, not used); it ends at its absolute
-- lifetime, at a rotation of the credential, or when the display is revoked (the account disabled).
ALTER TABLE sessions ADD COLUMN idle_exempt boolean NOT NULL DEFAULT false;

CREATE TABLE wall_displays (
  user_id          uuid PRIMARY KEY REFERENCES users(id),
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  token_hash       text NOT NULL UNIQUE,
  -- Patients are shown by their initials: a screen other people may see (a corridor, a waiting room).
  initials_only    boolean NOT NULL DEFAULT false,
  created_by       uuid NOT NULL REFERENCES users(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  rotated_at       timestamptz
);
CREATE INDEX wall_displays_organisation ON wall_displays (organisation_id);
