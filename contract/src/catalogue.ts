/**
 * The words both the server's messages (notifications, copy-as-text, digests) and the dashboard
 * show, in Japanese and English: one catalogue, so a page, a copied record and the screen name a
 * thing alike (issue 16). Metric names live in the metric table (METRICS[m].ja / .en) and alert
 * rule names in RULE_NAMES; everything else both sides say is here, by group and key. Words are
 * as they stand in running text; a screen that starts a label with one capitalises it (`capitalised`).
 */

export type Lang = 'ja' | 'en';
export interface Words {
  readonly ja: string;
  readonly en: string;
}

const w = (ja: string, en: string): Words => ({ ja, en });

export const WORDS = {
  /** Alert priority: colour is never the only sign, these words are. */
  priority: { high: w('至急', 'high'), medium: w('注意', 'medium'), low: w('参考', 'low') },
  alertState: {
    firing: w('未確認', 'not acknowledged'),
    acknowledged: w('確認済み', 'acknowledged'),
    resolved: w('解決', 'resolved'),
  },
  /** What happened to an alert (its story, the timeline's alert items). */
  alertEvent: {
    opened: w('発生', 'opened'),
    paged: w('通知送信', 'page sent'),
    escalated: w('エスカレーション', 'escalated'),
    acknowledged: w('確認', 'acknowledged'),
    condition_cleared: w('条件解消', 'condition cleared'),
    resolved: w('解決', 'resolved'),
    reopened: w('再発', 'reopened'),
    priority_changed: w('優先度変更', 'priority changed'),
    condition_returned: w('条件再発', 'condition returned'),
    escalation_exhausted: w('エスカレーション終了（通知先なし）', 'escalation ended: nobody left to page'),
    escalation_resumed: w('エスカレーション再開', 'escalation resumed'),
    escalation_stopped: w('エスカレーション停止', 'escalation stopped'),
    silenced: w('一時停止', 'silenced'),
  },
  timelineKind: {
    post: w('投稿', 'post'),
    alert: w('警報', 'alert'),
    observation: w('観察記録', 'observation'),
    event: w('機器の出来事', 'device event'),
    digest: w('バイタル日報', 'daily vitals digest'),
    absence: w('不在予定', 'planned absence'),
  },
  /** Professions (contract: `GET /api/v1/me`). Screens name people with theirs: "看護師の山田さん". */
  profession: {
    physician: w('医師', 'physician'),
    dentist: w('歯科医師', 'dentist'),
    nurse: w('看護師', 'nurse'),
    pharmacist: w('薬剤師', 'pharmacist'),
    care_manager: w('ケアマネジャー', 'care manager'),
    therapist: w('リハビリ職', 'therapist'),
    dietitian: w('管理栄養士', 'dietitian'),
    dental_hygienist: w('歯科衛生士', 'dental hygienist'),
    care_worker: w('介護職', 'care worker'),
    social_worker: w('ソーシャルワーカー', 'social worker'),
    clerk: w('事務', 'clerk'),
    other: w('その他', 'other'),
  },
  teamRole: {
    attending_physician: w('主治医', 'attending physician'),
    lead: w('チームリーダー', 'team lead'),
    member: w('メンバー', 'member'),
  },
  /** Sensitivity of an item, and the clearance of a member that must reach it (shared/DOMAIN.md). */
  sensitivity: {
    team: w('チーム全員', 'the whole team'),
    clinical: w('医療職のみ', 'clinical staff only'),
    restricted: w('限定', 'restricted'),
  },
  /** NEWS2 parameters (alerts/news2.ts). */
  news2Parameter: {
    respiratoryRate: w('呼吸数', 'respiratory rate'),
    spo2: w('SpO2', 'SpO2'),
    airOrOxygen: w('酸素投与', 'air or oxygen'),
    systolicBloodPressure: w('収縮期血圧', 'systolic pressure'),
    pulse: w('脈拍', 'pulse'),
    consciousness: w('意識レベル', 'consciousness'),
    temperature: w('体温', 'temperature'),
  },
  /** Whether a home gateway or a device is heard from. */
  liveness: {
    online: w('接続中', 'online'),
    offline: w('オフライン', 'offline'),
    unknown: w('未接続', 'never heard from'),
  },
  /** How a page or notification travels (the delivery outbox's channels). */
  channel: {
    email: w('メール', 'e-mail'),
    webpush: w('プッシュ通知', 'push notification'),
    webhook: w('Webhook', 'webhook'),
    site_webhook: w('施設のWebhook', 'site webhook'),
    org_webhook: w('事業所のWebhook', 'organisation webhook'),
  },
  /** Where a page or notification is in the delivery outbox. */
  deliveryStatus: {
    pending: w('送信待ち', 'waiting'),
    sending: w('送信中', 'sending'),
    delivered: w('配信済み', 'delivered'),
    failed: w('配信失敗', 'failed'),
    cancelled: w('取り消し', 'cancelled'),
    suppressed: w('抑制（送信数の上限）', 'held back (page limit)'),
    grouped: w('他の通知にまとめて送信', 'sent with another page'),
  },
  /** UCUM units (the metric table's) as people write them. */
  unit: {
    'mm[Hg]': w('mmHg', 'mmHg'),
    '/min': w('/分', '/min'),
    '%': w('%', '%'),
    Cel: w('℃', '°C'),
    kg: w('kg', 'kg'),
    cm: w('cm', 'cm'),
    'kg/m2': w('kg/m²', 'kg/m²'),
    'mg/dL': w('mg/dL', 'mg/dL'),
    'L/min': w('L/分', 'L/min'),
    '{score}': w('/10', '/10'),
  },
} as const satisfies Record<string, Record<string, Words>>;

export type WordGroup = keyof typeof WORDS;
export type WordKey<G extends WordGroup> = keyof (typeof WORDS)[G] & string;

/** The word for `key` of `group`; a key the catalogue does not know (a newer server's) is shown as it is. */
export function word(group: WordGroup, key: string, lang: Lang): string {
  const table: Readonly<Record<string, Words>> = WORDS[group];
  return Object.hasOwn(table, key) ? (table[key]?.[lang] ?? key) : key;
}

/** The word starting a label or a sentence: its first letter capitalised (Japanese is unchanged). */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
