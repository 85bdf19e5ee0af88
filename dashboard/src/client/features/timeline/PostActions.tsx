/**
 * What a reader may do to a post, as the server allows it: edit one's own post (the earlier
 * versions are kept: "edited" opens them), withdraw it with a reason (its author, the attending
 * physician or the team lead; it stays on the timeline as withdrawn), and reply to a post (one
 * level). Each opens a small form in place, with the server's refusal shown beside the field.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, uiLocale } from '../../i18n.ts';
import { formatFullDateTime, toMillis } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { type Revision, type TimelineItem, timelineApi } from './api.ts';

export type PostAction = 'edit' | 'withdraw' | 'reply';

/** Which actions the reader has on the item: the server's rules (api/timeline), so no button only fails. */
export function allowedActions(
  item: Pick<TimelineItem, 'kind' | 'author' | 'withdrawn' | 'replyTo'>,
  me: string | undefined,
  myTeamRole: string | undefined,
): PostAction[] {
  if (item.kind !== 'post' || item.withdrawn || !me) return [];
  const mine = item.author?.id === me;
  const leads = myTeamRole === 'attending_physician' || myTeamRole === 'lead';
  return [
    ...(mine ? (['edit'] as const) : []),
    ...(mine || leads ? (['withdraw'] as const) : []),
    ...(item.replyTo ? [] : (['reply'] as const)),
  ];
}

/** One text field and a submit button, focused when it opens; the error is shown under the field. */
function InlineForm({
  id,
  label,
  submit,
  initial,
  required,
  onSubmit,
  onCancel,
}: {
  id: string;
  label: string;
  submit: string;
  initial: string;
  required: boolean;
  onSubmit: (text: string) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <form
      class="post-action-form"
      data-testid={`${id.split('-')[0]}-form`}
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        onSubmit(text.trim()).then(
          () => setBusy(false),
          (err: unknown) => {
            setBusy(false);
            setError(errorMessage(err));
          },
        );
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <label for={id}>{label}</label>
      <textarea
        id={id}
        ref={field}
        rows={3}
        required={required}
        maxLength={10_000}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {error && (
        <p class="alert field-error" role="alert" id={`${id}-error`}>
          {error}
        </p>
      )}
      <div class="form-buttons">
        <button type="submit" disabled={busy}>
          {submit}
        </button>
        <button type="button" onClick={onCancel}>
          {t('timeline.cancel')}
        </button>
      </div>
    </form>
  );
}

export function ActionForm({
  action,
  item,
  onItem,
  onClose,
}: {
  action: PostAction;
  item: TimelineItem;
  /** The item as the server now has it (edited, withdrawn, or the new reply). */
  onItem: (item: TimelineItem) => void;
  onClose: () => void;
}) {
  const done = (x: TimelineItem) => {
    onItem(x);
    onClose();
  };
  switch (action) {
    case 'edit':
      return (
        <InlineForm
          id={`edit-${item.id}`}
          label={t('timeline.editLabel')}
          submit={t('timeline.save')}
          initial={item.body}
          required={!item.fields}
          onSubmit={(body) => timelineApi.edit(item.id, { body }).then(done)}
          onCancel={onClose}
        />
      );
    case 'withdraw':
      return (
        <InlineForm
          id={`withdraw-${item.id}`}
          label={t('timeline.withdrawReason')}
          submit={t('timeline.withdraw')}
          initial=""
          required
          onSubmit={(reason) => timelineApi.withdraw(item.id, reason).then(done)}
          onCancel={onClose}
        />
      );
    case 'reply':
      return (
        <InlineForm
          id={`reply-${item.id}`}
          label={t('timeline.replyLabel', { name: item.author?.displayName ?? '' })}
          submit={t('timeline.reply')}
          initial=""
          required
          onSubmit={(body) =>
            // The reply is seen by those who see the post: it keeps the post's sensitivity.
            timelineApi.post(item.patientId, { body, replyTo: item.id, sensitivity: item.sensitivity }).then(done)
          }
          onCancel={onClose}
        />
      );
    default:
      return action satisfies never;
  }
}

/** "edited": a button that opens what the post said before each edit, oldest first. */
export function Revisions({ item, zone }: { item: TimelineItem; zone: string }) {
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<Revision[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next)
      timelineApi.revisions(item.id).then(
        (r) => setList(r.revisions),
        (e: unknown) => setError(errorMessage(e)),
      );
  };
  return (
    <>
      {' · '}
      <button type="button" class="link-button" aria-expanded={open} data-testid="post-edited" onClick={toggle}>
        {t('timeline.edited')}
        {item.editedAt && ` ${formatFullDateTime(toMillis(item.editedAt), zone, uiLocale.value)}`}
      </button>
      {open && list && (
        <ol class="revisions" data-testid="revisions" aria-label={t('timeline.revisions')}>
          {list.map((r) => (
            <li key={r.revision} data-revision={r.revision}>
              <span class="revision-meta">
                {t('timeline.revision', {
                  // The server counts from 0 (the post as first written); people count from 1.
                  n: r.revision + 1,
                  time: formatFullDateTime(toMillis(r.writtenAt), zone, uiLocale.value),
                })}
              </span>{' '}
              <span class="revision-body">{r.body}</span>
            </li>
          ))}
        </ol>
      )}
      {open && error && <AlertBox text={error} />}
    </>
  );
}
