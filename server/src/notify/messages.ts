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

export function pageText(
  locale: Locale,
  a: {
    rule: string;
    priority: string;
    patientName: string;
    value?: number | null;
    unit?: string;
    openedAt: Date;
    timezone: string;
    ackUrl: string;
    alertUrl: string;
  },
): PageText {
  const when = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: a.timezone,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(a.openedAt);
  const value = a.value === null || a.value === undefined ? '' : ` ${a.value}${a.unit ? ` ${a.unit}` : ''}`;
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
