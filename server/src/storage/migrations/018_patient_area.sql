-- Where a patient is, as the team names it (issue 13, wall displays): a district of the visiting
-- round ("北区 A地区"), a facility's floor and room ("2F-201"). Shown beside the name or the
-- initials on a wall display, so a screen showing initials only still tells patients apart.
ALTER TABLE patients ADD COLUMN area text;
