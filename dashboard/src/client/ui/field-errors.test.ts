import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { fieldErrors } from './field-errors.ts';

describe('fieldErrors', () => {
  const fields = { step0: /^steps\[0\]/, step1: /^steps\[1\]/, repeat: /^repeatLimit/ };

  it('puts each problem of a refusal beside the field it names, the others on the form', () => {
    const err = new ApiError(
      400,
      'bad_request',
      "steps[1].targets[0]: rota 5 belongs to an organisation not on this patient's care team; steps[0].delayMinutes must be 1 to 1440; a policy needs a reason",
    );
    expect(fieldErrors(err, fields)).toStrictEqual({
      byField: {
        step1: ["steps[1].targets[0]: rota 5 belongs to an organisation not on this patient's care team"],
        step0: ['steps[0].delayMinutes must be 1 to 1440'],
      },
      form: ['a policy needs a reason'],
    });
  });

  it('shows a failure that is not a refusal (forbidden, network) on the form as a whole', () => {
    const forbidden = fieldErrors(new ApiError(403, 'forbidden', 'only the attending physician or lead'), fields);
    expect(forbidden.byField).toStrictEqual({});
    expect(forbidden.form).toHaveLength(1);
    expect(forbidden.form[0]).toContain('only the attending physician or lead');
  });
});
