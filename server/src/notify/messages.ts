/**
 * Notifications in Japanese and English (shared/DOMAIN.md, "Language"): their words come from the
 * contract's catalogue (priorities, NEWS2 parameters) and rule names, shared with the dashboard.
 */
import { displayNumber, ruleName, word } from '@vitals/contract';
export type Locale = 'ja' | 'en';

/** The priority as a page's subject tags it: 【至急】, [HIGH]. */
export function priorityTag(priority: string, locale: Locale): string {
  const w = word('priority', priority, locale);
  return locale === 'ja' ? `【${w}】` : `[${w.toUpperCase()}]`;
}

/** The rule's name: the contract's table, shared with the dashboard. */
export function ruleLabel(rule: string, locale: Locale): string {
  return ruleName(rule, locale);
}

export interface PageText {
  subject: string;
  body: string;
}

/** The value a page shows: the reading, or for a trend its rise ("+2.1 kg in 3 days"). */
export function valueText(
  locale: Locale,
  a: { value?: number | null; metric?: string; unit?: string; rise?: number; riseDays?: number; news2?: unknown },
): string {
  if (a.news2 !== undefined) {
    const text = news2ValueText(locale, a.news2);
    if (text) return text;
  }
  if (a.rise !== undefined) {
    const rise = `${a.rise >= 0 ? '+' : '−'}${Math.abs(a.rise).toFixed(1)} kg`;
    const days = a.riseDays ?? 3;
    return locale === 'ja' ? `${days}日で ${rise}` : `${rise} in ${days} day${days === 1 ? '' : 's'}`;
  }
  if (a.value === null || a.value === undefined) return '';
  // Stored values are exact conversions (141.7616235 mmHg); people read the device's resolution.
  return `${displayNumber(a.value, a)}${a.unit ? ` ${a.unit}` : ''}`;
}

export interface PageLine {
  rule: string;
  priority: string;
  value?: number | null;
  metric?: string;
  unit?: string;
  /** A trend's rise and its window in days: shown instead of the value. */
  rise?: number;
  riseDays?: number;
  /** A NEWS2 alert's detail: its score, what scored and what is missing, instead of the value. */
  news2?: unknown;
  openedAt: Date;
  ackUrl: string;
  alertUrl: string;
}

export function pageText(locale: Locale, a: PageLine & { patientName: string; timezone: string }): PageText {
  const when = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: a.timezone,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(a.openedAt);
  const v = valueText(locale, a);
  const value = v ? ` ${v}` : '';
  const p = priorityTag(a.priority, locale);
  const label = ruleLabel(a.rule, locale);
  if (locale === 'ja')
    return {
      subject: `${p}${a.patientName} 様: ${label}${value}`,
      body: `${a.patientName} 様\n${label}${value}\n発生: ${when}\n\n確認（ログイン不要・1回限り）: ${a.ackUrl}\n詳細: ${a.alertUrl}\n`,
    };
  return {
    subject: `${p} ${a.patientName}: ${label}${value}`,
    body: `${a.patientName}\n${label}${value}\nSince: ${when}\n\nAcknowledge (no login, works once): ${a.ackUrl}\nDetails: ${a.alertUrl}\n`,
  };
}

const RANK: Record<string, number> = { high: 3, medium: 2, low: 1 };

/**
 * One page listing several alerts of one patient (opened within the grouping window), the
 * most urgent first; each with its own one-time acknowledgement link.
 */
export function groupPageText(
  locale: Locale,
  patientName: string,
  timezone: string,
  lines: readonly PageLine[],
): PageText {
  if (lines.length === 1) return pageText(locale, { ...lines[0]!, patientName, timezone });
  const sorted = [...lines].sort((a, b) => (RANK[b.priority] ?? 0) - (RANK[a.priority] ?? 0));
  const top = sorted[0]!;
  const p = priorityTag(top.priority, locale);
  const fmt = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: timezone,
    timeStyle: 'short',
  });
  const label = (l: PageLine) => {
    const v = valueText(locale, l);
    return `${ruleLabel(l.rule, locale)}${v ? ` ${v}` : ''}`;
  };
  const list = sorted
    .map((l) =>
      locale === 'ja'
        ? `・${priorityTag(l.priority, 'ja')}${label(l)}（${fmt.format(l.openedAt)}）\n  確認: ${l.ackUrl}\n  詳細: ${l.alertUrl}`
        : `- ${priorityTag(l.priority, 'en')} ${label(l)} (since ${fmt.format(l.openedAt)})\n  Acknowledge: ${l.ackUrl}\n  Details: ${l.alertUrl}`,
    )
    .join('\n');
  const more = sorted.length - 1;
  if (locale === 'ja')
    return {
      subject: `${p}${patientName} 様: ${label(top)} ほか${more}件`,
      body: `${patientName} 様: ${sorted.length}件のアラート\n${list}\n\n確認リンクはアラートごと（ログイン不要・1回限り）です。\n`,
    };
  return {
    subject: `${p} ${patientName}: ${label(top)} and ${more} more`,
    body: `${patientName}: ${sorted.length} alerts\n${list}\n\nEach link acknowledges its own alert (no login, works once).\n`,
  };
}

const news2Name = (p: string, locale: Locale) => word('news2Parameter', p, locale);

/**
 * The score of a NEWS2 alert from its `detail` (alerts/evaluate.ts): the parameters that
 * scored, and when parameters were missing, that the score is a lower bound and which ones
 * ("≥ 5 (partial: consciousness, respiratory rate missing): SpO2 3, pulse 2"). Null when the
 * detail is not a NEWS2 detail.
 */
export function news2ValueText(locale: Locale, detail: unknown): string | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const d = detail as { score?: unknown; partial?: unknown; missing?: unknown; parameters?: unknown };
  if (typeof d.score !== 'number') return null;
  const missing = Array.isArray(d.missing) ? d.missing.filter((m): m is string => typeof m === 'string') : [];
  const scored =
    typeof d.parameters === 'object' && d.parameters !== null
      ? Object.entries(d.parameters)
          .map(([p, v]) => [p, (v as { score?: unknown } | null)?.score] as const)
          .filter((x): x is readonly [string, number] => typeof x[1] === 'number' && x[1] > 0)
      : [];
  // Missing parameters in one order for both languages (by their English names).
  const missingNames = [...missing]
    .sort((a, b) => news2Name(a, 'en').localeCompare(news2Name(b, 'en')))
    .map((p) => news2Name(p, locale));
  const partial = d.partial === true || missing.length > 0;
  const sep = locale === 'ja' ? '、' : ', ';
  const score = partial
    ? locale === 'ja'
      ? `≥ ${d.score}（一部のみ: ${missingNames.join(sep)} 未測定）`
      : `≥ ${d.score} (partial: ${missingNames.join(sep)} missing)`
    : `${d.score}`;
  const points = scored.map(([p, s]) =>
    locale === 'ja' ? `${news2Name(p, locale)} ${s}点` : `${news2Name(p, locale)} ${s}`,
  );
  return points.length > 0 ? `${score}: ${points.join(sep)}` : score;
}
