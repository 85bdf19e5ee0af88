/**
 * Writing to the patient's timeline: a template (its fields as inputs), tags, who may see it
 * (sensitivity), mentions of team members (they are notified), the text, and a photo.
 */
import { useState } from 'preact/hooks';
import { t, uiLocale } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { patientApi } from '../patient/api.ts';
import { type NewPost, type Template, timelineApi } from './api.ts';

type Sensitivity = NonNullable<NewPost['sensitivity']>;
const SENSITIVITIES: Sensitivity[] = ['team', 'clinical', 'restricted'];

export function Composer({ patientId, onPosted }: { patientId: string; onPosted: (itemId: string) => void }) {
  const templates = useLoad((signal) => timelineApi.templates(patientId, signal), [patientId]);
  const tags = useLoad((signal) => timelineApi.tags(patientId, signal), [patientId]);
  const team = useLoad((signal) => patientApi.team(patientId, signal), [patientId]);
  const [templateKey, setTemplateKey] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [chosenTags, setChosenTags] = useState<string[]>([]);
  const [mentions, setMentions] = useState<string[]>([]);
  const [sensitivity, setSensitivity] = useState<Sensitivity>('team');
  const [body, setBody] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const locale = uiLocale.value;
  const template: Template | undefined = templates.data?.templates.find((x) => x.key === templateKey);

  const chooseTemplate = (key: string) => {
    setTemplateKey(key);
    setFields({});
    const chosen = templates.data?.templates.find((x) => x.key === key);
    if (chosen) setSensitivity(chosen.sensitivity);
  };
  const toggle = (list: string[], set: (l: string[]) => void, key: string) =>
    set(list.includes(key) ? list.filter((k) => k !== key) : [...list, key]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const filled = Object.fromEntries(
        (template?.fields ?? []).flatMap((f) => {
          const v = fields[f.key]?.trim();
          return v ? [[f.key, f.type === 'number' ? Number(v) : v]] : [];
        }),
      );
      const item = await timelineApi.post(patientId, {
        body: body.trim(),
        sensitivity,
        ...(template ? { template: template.key, fields: filled } : {}),
        ...(chosenTags.length ? { tags: chosenTags } : {}),
        ...(mentions.length ? { mentions } : {}),
      });
      if (photo) await timelineApi.addPhoto(item.id, photo);
      setBody('');
      setFields({});
      setChosenTags([]);
      setMentions([]);
      setPhoto(null);
      setTemplateKey('');
      setSensitivity('team');
      onPosted(item.id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="composer" data-testid="composer" onSubmit={(e) => void submit(e)}>
      <h3>{t('timeline.compose')}</h3>
      <Field id="post-template" label={t('timeline.template')}>
        <select id="post-template" value={templateKey} onChange={(e) => chooseTemplate(e.currentTarget.value)}>
          <option value="">{t('timeline.noTemplate')}</option>
          {templates.data?.templates.map((x) => (
            <option key={x.key} value={x.key}>
              {x[locale]}
            </option>
          ))}
        </select>
      </Field>
      {template?.fields.map((f) => (
        <Field key={f.key} id={`post-field-${f.key}`} label={f[locale]}>
          {f.type === 'number' ? (
            <input
              id={`post-field-${f.key}`}
              data-field={f.key}
              type="number"
              value={fields[f.key] ?? ''}
              onInput={(e) => setFields({ ...fields, [f.key]: e.currentTarget.value })}
            />
          ) : (
            <input
              id={`post-field-${f.key}`}
              data-field={f.key}
              type="text"
              value={fields[f.key] ?? ''}
              onInput={(e) => setFields({ ...fields, [f.key]: e.currentTarget.value })}
            />
          )}
        </Field>
      ))}
      <Field id="post-body" label={t('timeline.body')}>
        <textarea
          id="post-body"
          rows={3}
          maxLength={10_000}
          value={body}
          onInput={(e) => setBody(e.currentTarget.value)}
        />
      </Field>
      <fieldset class="choices">
        <legend>{t('timeline.tags')}</legend>
        {tags.data?.tags.map((tag) => (
          <label key={tag.key}>
            <input
              type="checkbox"
              data-tag={tag.key}
              checked={chosenTags.includes(tag.key)}
              onChange={() => toggle(chosenTags, setChosenTags, tag.key)}
            />{' '}
            {tag[locale]}
          </label>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend>{t('timeline.mentions')}</legend>
        {team.data
          ?.filter((m) => m.kind === 'person')
          .map((m) => (
            <label key={m.userId}>
              <input
                type="checkbox"
                data-mention={m.userId}
                checked={mentions.includes(m.userId)}
                onChange={() => toggle(mentions, setMentions, m.userId)}
              />{' '}
              @{m.displayName}
            </label>
          ))}
      </fieldset>
      <Field id="post-sensitivity" label={t('timeline.sensitivity')}>
        <select
          id="post-sensitivity"
          value={sensitivity}
          onChange={(e) => setSensitivity(e.currentTarget.value as Sensitivity)}
        >
          {SENSITIVITIES.map((s) => (
            <option key={s} value={s}>
              {t(`timeline.sensitivity.${s}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="post-photo" label={t('timeline.photo')}>
        <input
          id="post-photo"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={(e) => setPhoto(e.currentTarget.files?.[0] ?? null)}
        />
      </Field>
      <button type="submit" disabled={busy}>
        {t('timeline.post')}
      </button>
      {error && <AlertBox text={error} />}
    </form>
  );
}
