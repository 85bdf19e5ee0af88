/**
 * A labelled form control: the label names the control (for= / id), as axe-core and screen readers
 * expect. `problems` (the server's refusal of this field) are shown under it, with the id
 * `{id}-problems` the control names in `aria-describedby` (see `problemProps`).
 */
import type { ComponentChildren } from 'preact';
import { t } from '../i18n.ts';

export function Field({
  id,
  label,
  children,
  problems,
}: {
  id: string;
  label: string;
  children: ComponentChildren;
  problems?: readonly string[] | undefined;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {problems && problems.length > 0 && <Problems id={`${id}-problems`} problems={problems} />}
    </div>
  );
}

/** The server's problems with one field or a group of fields, announced when they appear. */
export function Problems({ id, problems }: { id?: string; problems: readonly string[] }) {
  return (
    <p class="alert field-error" role="alert" id={id} data-testid="field-problems">
      {t('error.notAccepted')} {problems.join(' / ')}
    </p>
  );
}

/** The attributes a control takes when its field has problems. */
export function problemProps(id: string, problems: readonly string[] | undefined) {
  return problems?.length
    ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-problems` }
    : { 'aria-invalid': undefined, 'aria-describedby': undefined };
}
