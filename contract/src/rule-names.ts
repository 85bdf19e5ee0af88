/**
 * What each alert rule is called, in Japanese and English: one table for the notifications the
 * server sends (server/src/notify/messages.ts) and the screens of the dashboard, so a page and the
 * board name an alert alike (issue 16: one message catalogue shared with the server's messages).
 */
export const RULE_NAMES: Readonly<Record<string, { ja: string; en: string }>> = {
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

/** The rule's name in the language; a rule without one (a newer server's) is shown by its id. */
export function ruleName(rule: string, locale: 'ja' | 'en'): string {
  return Object.hasOwn(RULE_NAMES, rule) ? (RULE_NAMES[rule]?.[locale] ?? rule) : rule;
}
