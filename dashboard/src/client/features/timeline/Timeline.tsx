/**
 * The patient's team timeline beside the charts: posts of every profession and the system's items
 * (alerts, observations, device events, absences), newest first, as far as the reader's clearance
 * reaches. Each item shows its author, time, template, tags, sensitivity, photos and how many have
 * read it; it is marked read when shown; it can be copied as text; an alert item is acknowledged
 * from here with a comment; a post can be edited, withdrawn and replied to (PostActions.tsx). The
 * live stream's timeline events update the feed in place, one item at a time (feed.ts).
 */

import { isMetric } from '@vitals/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { currentUser, useStream } from '../../app/session.ts';
import { metricLabel, t, uiLocale } from '../../i18n.ts';
import { formatValue } from '../../metric-display.ts';
import { formatFullDateTime, toMillis } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage, isAbort } from '../../ui/errors.ts';
import { useLoad } from '../../ui/use-load.ts';
import { professionLabel } from '../admin/labels.ts';
import { eventLabel, ruleLabel } from '../alerts/labels.ts';
import { patientApi } from '../patient/api.ts';
import { feedItem, type ItemWithReceipts, type Tag, type Template, type TimelineItem, timelineApi } from './api.ts';
import { Composer } from './Composer.tsx';
import { countReceipt, removeItem, threads, upsertItem } from './feed.ts';
import { ActionForm, allowedActions, type PostAction, Revisions } from './PostActions.tsx';

const KIND_GLYPH: Record<TimelineItem['kind'], string> = {
  post: '✎',
  alert: '▲',
  observation: '◆',
  event: '⚙',
  digest: '≡',
  absence: '⌂',
};

function AckFromTimeline({ item, onDone }: { item: TimelineItem; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = `tl-ack-${item.id}`;
  return (
    <form
      class="ack-form"
      data-testid="timeline-ack"
      onSubmit={(e) => {
        e.preventDefault();
        timelineApi.ack(item.id, note).then(onDone, (err: unknown) => setError(errorMessage(err)));
      }}
    >
      <label for={id}>{t('alerts.ackComment')}</label>
      <input id={id} type="text" maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <button type="submit">{t('alerts.ack')}</button>
      {error && <AlertBox text={error} />}
    </form>
  );
}

/**
 * "既読 N" opens who on the team has read the post (and when) and who has not yet: what a team
 * leader checks before a visit ("has the pharmacist seen the new prescription?").
 */
function Receipts({ item }: { item: TimelineItem }) {
  const [open, setOpen] = useState(false);
  const [receipts, setReceipts] = useState<ItemWithReceipts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const names = (list: readonly { displayName: string }[]) =>
    list.length ? list.map((p) => p.displayName).join('、') : t('timeline.nobody');
  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next) timelineApi.receipts(item.id).then(setReceipts, (e: unknown) => setError(errorMessage(e)));
  };
  return (
    <>
      <button
        type="button"
        class="read-count"
        aria-expanded={open}
        title={t('timeline.receipts')}
        data-testid="read-receipts"
        onClick={toggle}
      >
        {t('timeline.readBy', { n: item.readCount })}
      </button>
      {open && receipts && (
        <span class="receipts" data-testid="receipt-list">
          <span>{t('timeline.readList', { names: names(receipts.readBy) })}</span>{' '}
          <span>{t('timeline.notReadList', { names: names(receipts.notReadBy) })}</span>
        </span>
      )}
      {open && error && <AlertBox text={error} />}
    </>
  );
}

/** What a system item says: the alert and what happened to it, or the values the team recorded. */
function systemSummary(item: TimelineItem): string | null {
  const d = item.detail;
  if (!d) return null;
  if ((item.kind === 'alert' || item.kind === 'event') && typeof d.rule === 'string')
    return `${ruleLabel(d.rule)} — ${typeof d.transition === 'string' ? eventLabel(d.transition) : ''}`;
  if (item.kind === 'observation' && Array.isArray(d.values))
    return d.values
      .flatMap((v: unknown) => {
        if (typeof v !== 'object' || v === null) return [];
        const { metric, value, code } = v as { metric?: unknown; value?: unknown; code?: unknown };
        if (!isMetric(metric)) return [];
        const shown = typeof value === 'number' ? formatValue(metric, value, uiLocale.value) : String(code ?? '');
        return [`${metricLabel(uiLocale.value, metric)} ${shown}`];
      })
      .join('、');
  return null;
}

/** Alerts whose acknowledgement or resolution is on the timeline: their opening needs no action. */
function settledAlerts(items: readonly TimelineItem[]): Set<string> {
  const settled = new Set<string>();
  for (const i of items)
    if (
      typeof i.detail?.alertId === 'string' &&
      (i.detail.transition === 'acknowledged' || i.detail.transition === 'resolved')
    )
      settled.add(i.detail.alertId);
  return settled;
}

interface Reader {
  me: string | undefined;
  teamRole: string | undefined;
  /** Names of the team, for who withdrew a post. */
  names: ReadonlyMap<string, string>;
}

function Item({
  item,
  nested = false,
  replies = [],
  zone,
  settled,
  templates,
  tags,
  reader,
  onItem,
  onChange,
}: {
  item: TimelineItem;
  /** Shown under its post: no need to say it is a reply. */
  nested?: boolean;
  replies?: readonly TimelineItem[];
  zone: string;
  settled: Set<string>;
  templates: readonly Template[];
  tags: readonly Tag[];
  reader: Reader;
  onItem: (item: TimelineItem) => void;
  onChange: () => void;
}) {
  const locale = uiLocale.value;
  const [copied, setCopied] = useState(false);
  const [action, setAction] = useState<PostAction | null>(null);
  const actions = allowedActions(item, reader.me, reader.teamRole);
  useEffect(() => {
    if (!item.read && item.kind === 'post') void timelineApi.read(item.id).catch(() => {});
  }, [item.id, item.read, item.kind]);
  const alertId = typeof item.detail?.alertId === 'string' ? item.detail.alertId : null;
  const needsAck =
    (item.kind === 'alert' || item.kind === 'event') &&
    alertId !== null &&
    !settled.has(alertId) &&
    (item.detail?.transition === 'opened' || item.detail?.transition === 'reopened');
  const summary = systemSummary(item);
  const template = templates.find((x) => x.key === item.template);
  const fieldLabel = (key: string) => template?.fields.find((f) => f.key === key)?.[locale] ?? key;
  const copy = () =>
    timelineApi.text(item.id).then(
      (r) =>
        navigator.clipboard?.writeText(r.text).then(
          () => setCopied(true),
          () => setCopied(false),
        ),
      () => setCopied(false),
    );
  return (
    <li
      class={`timeline-item kind-${item.kind} sensitivity-${item.sensitivity}`}
      data-testid="timeline-item"
      data-item-id={item.id}
      data-kind={item.kind}
    >
      <p class="timeline-meta">
        <span aria-hidden="true">{KIND_GLYPH[item.kind]}</span>{' '}
        <strong>{item.author?.displayName ?? t(`timeline.kind.${item.kind}`)}</strong>
        {item.author?.profession && ` ${professionLabel(item.author.profession)}`} ·{' '}
        <time dateTime={item.time}>{formatFullDateTime(toMillis(item.time), zone, locale)}</time>
        {item.sensitivity !== 'team' && (
          <span class="sensitivity-badge"> · {t(`timeline.sensitivity.${item.sensitivity}`)}</span>
        )}
        {item.replyTo && !nested && <span class="reply-mark"> · {t('timeline.isReply')}</span>}
        {item.edited && <Revisions item={item} zone={zone} />}
      </p>
      {item.withdrawn ? (
        <p class="withdrawn" data-testid="post-withdrawn">
          {t('timeline.withdrawnBy', {
            name:
              (item.withdrawn.by && reader.names.get(item.withdrawn.by)) ||
              (item.withdrawn.by === item.author?.id ? (item.author?.displayName ?? '') : t('timeline.someone')),
            reason: item.withdrawn.reason,
          })}
        </p>
      ) : (
        <>
          {item.template && <p class="timeline-template">{template?.[locale] ?? item.template}</p>}
          {item.fields && Object.keys(item.fields).length > 0 && (
            <dl class="timeline-fields">
              {Object.entries(item.fields).map(([k, v]) => (
                <div key={k}>
                  <dt>{fieldLabel(k)}</dt>
                  <dd>{String(v)}</dd>
                </div>
              ))}
            </dl>
          )}
          {summary && <p class="timeline-summary">{summary}</p>}
          {item.body && <p class="timeline-body">{item.body}</p>}
          {item.tags.length > 0 && (
            <p class="timeline-tags">
              {item.tags.map((tag) => (
                <span key={tag} class="tag">
                  #{tags.find((x) => x.key === tag)?.[locale] ?? tag}
                </span>
              ))}
            </p>
          )}
          {item.photos.length > 0 && (
            <p class="timeline-photos">
              {item.photos.map((p) => (
                <a key={p.id} href={p.url} target="_blank" rel="noreferrer">
                  <img
                    src={`${p.url}?size=thumbnail`}
                    alt={t('timeline.photoAlt')}
                    data-testid="timeline-photo"
                    loading="lazy"
                  />
                </a>
              ))}
            </p>
          )}
        </>
      )}
      <p class="timeline-actions">
        {item.kind === 'post' && <Receipts item={item} />}
        <button type="button" class="copy" onClick={() => void copy()}>
          {t(copied ? 'timeline.copied' : 'timeline.copy')}
        </button>
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            data-testid={`post-${a}`}
            aria-expanded={action === a}
            onClick={() => setAction(action === a ? null : a)}
          >
            {t(`timeline.${a}`)}
          </button>
        ))}
      </p>
      {action && actions.includes(action) && (
        <ActionForm action={action} item={item} onItem={onItem} onClose={() => setAction(null)} />
      )}
      {needsAck && <AckFromTimeline item={item} onDone={onChange} />}
      {replies.length > 0 && (
        <ol class="timeline-replies" aria-label={t('timeline.replies', { n: replies.length })}>
          {replies.map((r) => (
            <Item
              key={r.id}
              item={r}
              nested
              zone={zone}
              settled={settled}
              templates={templates}
              tags={tags}
              reader={reader}
              onItem={onItem}
              onChange={onChange}
            />
          ))}
        </ol>
      )}
    </li>
  );
}

/** The feed: loaded when the patient or `version` changes, then kept current by the live stream. */
function useLiveFeed(patientId: string, version: number) {
  const stream = useStream();
  const [items, setItems] = useState<TimelineItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    timelineApi.feed(patientId, controller.signal).then(
      (page) => {
        setItems(page.items);
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      },
    );
    return () => controller.abort();
  }, [patientId, version, reloads]);
  /** Fetch one item and put it in its place (or take it away when the reader may no longer see it). */
  /**
   * Items being fetched, and whether a receipt came for one meanwhile: the answer may predate it,
   * so the item is fetched once more rather than the receipt lost.
   */
  const inFlight = useRef(new Map<string, boolean>());
  const refresh = (itemId: string): Promise<void> => {
    if (inFlight.current.has(itemId)) {
      inFlight.current.set(itemId, true);
      return Promise.resolve();
    }
    inFlight.current.set(itemId, false);
    return timelineApi.receipts(itemId).then(
      (full) => {
        setItems((prev) => (prev ? upsertItem(prev, feedItem(full)) : prev));
        const again = inFlight.current.get(itemId);
        inFlight.current.delete(itemId);
        if (again) void refresh(itemId);
      },
      (err: unknown) => {
        inFlight.current.delete(itemId);
        if (err instanceof ApiError && err.status === 404) setItems((prev) => (prev ? removeItem(prev, itemId) : prev));
      },
    );
  };
  useEffect(() => {
    const offTimeline = stream.onTimeline((c) => {
      if (c.patientId !== patientId) return;
      if (c.change === 'read' && inFlight.current.has(c.itemId)) void refresh(c.itemId);
      else if (c.change === 'read') {
        const byMe = c.userId !== undefined && c.userId === currentUser.value?.id;
        setItems((prev) => (prev ? countReceipt(prev, c.itemId, byMe) : prev));
      } else void refresh(c.itemId);
    });
    // Events sent while the connection was down are lost: load the page again.
    const offResync = stream.onResync(() => setReloads((n) => n + 1));
    return () => {
      offTimeline();
      offResync();
    };
  }, [patientId, stream]);
  const put = (item: TimelineItem) => setItems((prev) => (prev ? upsertItem(prev, item) : [item]));
  return { items, error, refresh, put, reload: () => setReloads((n) => n + 1) };
}

export function Timeline({ patientId, zone, version }: { patientId: string; zone: string; version: number }) {
  const feed = useLiveFeed(patientId, version);
  const templates = useLoad((signal) => timelineApi.templates(patientId, signal), [patientId]);
  // Posts carry tag keys; the labels are the organisation's and the built-in ones, in the reader's language.
  const tags = useLoad((signal) => timelineApi.tags(patientId, signal), [patientId]);
  const team = useLoad((signal) => patientApi.team(patientId, signal), [patientId]);
  const me = currentUser.value?.id;
  const reader: Reader = {
    me,
    teamRole: team.data?.find((m) => m.userId === me)?.teamRole,
    names: new Map((team.data ?? []).map((m) => [m.userId, m.displayName])),
  };
  const items = feed.items ?? [];
  const settled = settledAlerts(items);
  return (
    <section class="timeline" aria-labelledby="timeline-heading" data-testid="timeline">
      <h2 id="timeline-heading">{t('timeline.heading')}</h2>
      <Composer patientId={patientId} onPosted={(id) => void feed.refresh(id)} />
      {feed.error && <AlertBox text={feed.error} />}
      <ol class="timeline-items">
        {threads(items).map(({ item, replies }) => (
          <Item
            key={item.id}
            item={item}
            replies={replies}
            zone={zone}
            settled={settled}
            templates={templates.data?.templates ?? []}
            tags={tags.data?.tags ?? []}
            reader={reader}
            onItem={feed.put}
            onChange={feed.reload}
          />
        ))}
      </ol>
      {feed.items?.length === 0 && <p class="empty">{t('timeline.empty')}</p>}
    </section>
  );
}
