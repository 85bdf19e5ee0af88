/** The message catalogue for notifications, Japanese and English (shared/DOMAIN.md, "Language"). */
export type Locale = 'ja' | 'en';

const RULES: Record<string, Record<Locale, string>> = {
  spo2_low: { ja: 'SpO2 低下', en: 'Low SpO2' },
  pulse_high: { ja: '頻脈', en: 'High pulse rate' },
  pulse_low: { ja: '徐脈', en: 'Low pulse rate' },
  systolic_high: { ja: '収縮期血圧 高値', en: 'High systolic pressure' },
  systolic_low: { ja: '収縮期血圧 低値', en: 'Low systolic pressure' },
  diastolic_high: { ja: '拡張期血圧 高値', en: 'High diastolic pressure' },
  temperature_high: { ja: '発熱', en: 'Fever' },
  temperature_low: { ja: '低体温', en: 'Low body temperature' },
  glucose_low: { ja: '低血糖', en: 'Low glucose' },
  glucose_high: { ja: '高血糖', en: 'High glucose' },
  weight_gain: { ja: '体重増加（3日で2kg以上）', en: 'Weight gain (2 kg or more in 3 days)' },
  news2: { ja: 'NEWS2 スコア上昇', en: 'Raised NEWS2 score' },
  missed_measurement: { ja: '予定の測定が未実施', en: 'Scheduled measurement not taken' },
  device_silent: { ja: '連続測定機器からの受信なし', en: 'Continuous device silent' },
  gateway_offline: { ja: 'ゲートウェイ オフライン', en: 'Gateway offline' },
  battery_low: { ja: '機器の電池残量低下', en: 'Device battery low' },
  delivery_failed: { ja: '通知を届けられませんでした', en: 'A notification could not be delivered' },
};

const PRIORITY: Record<string, Record<Locale, string>> = {
  high: { ja: '緊急', en: 'HIGH' },
  medium: { ja: '注意', en: 'MEDIUM' },
  low: { ja: '確認', en: 'LOW' },
};

export function ruleLabel(rule: string, locale: Locale): string {
  return RULES[rule]?.[locale] ?? rule;
}

export interface PageText {
  subject: string;
  body: string;
}

/** The value a page shows: the reading, or for a trend its rise ("+2.1 kg in 3 days"). */
export function valueText(
  locale: Locale,
  a: { value?: number | null; unit?: string; rise?: number; riseDays?: number },
): string {
  if (a.rise !== undefined) {
    const rise = `${a.rise >= 0 ? '+' : '−'}${Math.abs(a.rise).toFixed(1)} kg`;
    const days = a.riseDays ?? 3;
    return locale === 'ja' ? `${days}日で ${rise}` : `${rise} in ${days} day${days === 1 ? '' : 's'}`;
  }
  if (a.value === null || a.value === undefined) return '';
  return `${a.value}${a.unit ? ` ${a.unit}` : ''}`;
}

export interface PageLine {
  rule: string;
  priority: string;
  value?: number | null;
  unit?: string;
  /** A trend's rise and its window in days: shown instead of the value. */
  rise?: number;
  riseDays?: number;
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
  const p = PRIORITY[a.priority]?.[locale] ?? a.priority;
  const label = ruleLabel(a.rule, locale);
  if (locale === 'ja')
    return {
      subject: `【${p}】${a.patientName} 様: ${label}${value}`,
      body: `${a.patientName} 様\n${label}${value}\n発生: ${when}\n\n確認（ログイン不要・1回限り）: ${a.ackUrl}\n詳細: ${a.alertUrl}\n`,
    };
  return {
    subject: `[${p}] ${a.patientName}: ${label}${value}`,
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
  const p = PRIORITY[top.priority]?.[locale] ?? top.priority;
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
        ? `・【${PRIORITY[l.priority]?.ja ?? l.priority}】${label(l)}（${fmt.format(l.openedAt)}）\n  確認: ${l.ackUrl}\n  詳細: ${l.alertUrl}`
        : `- [${PRIORITY[l.priority]?.en ?? l.priority}] ${label(l)} (since ${fmt.format(l.openedAt)})\n  Acknowledge: ${l.ackUrl}\n  Details: ${l.alertUrl}`,
    )
    .join('\n');
  const more = sorted.length - 1;
  if (locale === 'ja')
    return {
      subject: `【${p}】${patientName} 様: ${label(top)} ほか${more}件`,
      body: `${patientName} 様: ${sorted.length}件のアラート\n${list}\n\n確認リンクはアラートごと（ログイン不要・1回限り）です。\n`,
    };
  return {
    subject: `[${p}] ${patientName}: ${label(top)} and ${more} more`,
    body: `${patientName}: ${sorted.length} alerts\n${list}\n\nEach link acknowledges its own alert (no login, works once).\n`,
  };
}
