/**
 * The reason a change to a patient's alerting gives (settings, schedules, silences, absences,
 * the escalation policy): kept in the settings history and the audit log.
 */
import { Type } from 'typebox';

export const Reason = Type.String({ minLength: 3, maxLength: 1000, description: 'why; kept with the change' });

/** Resetting a setting needs only the reason, which the history keeps. */
export const ReasonOnly = Type.Object({ reason: Reason }, { additionalProperties: false });
