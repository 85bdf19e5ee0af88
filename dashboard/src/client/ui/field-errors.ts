/**
 * The server reports every problem of a form at once, joined by "; " (api/rotas, escalation
 * policies, schedules). A form shows each problem next to the field it names: `fields` maps a
 * field to the pattern its problems match; problems no pattern matches are shown for the form.
 */
import { ApiError } from '../api.ts';
import { errorMessage } from './errors.ts';

export interface FieldErrors<F extends string> {
  byField: Partial<Record<F, string[]>>;
  /** For the whole form: problems of no field, or a failure that is not a refusal (network, 5xx). */
  form: string[];
}

export function fieldErrors<F extends string>(err: unknown, fields: Record<F, RegExp>): FieldErrors<F> {
  if (!(err instanceof ApiError) || err.status !== 400) return { byField: {}, form: [errorMessage(err)] };
  const byField: Partial<Record<F, string[]>> = {};
  const form: string[] = [];
  for (const problem of err.message.split(/;\s+/).filter(Boolean)) {
    const field = (Object.keys(fields) as F[]).find((f) => fields[f].test(problem));
    if (!field) form.push(problem);
    else byField[field] = [...(byField[field] ?? []), problem];
  }
  return { byField, form };
}
