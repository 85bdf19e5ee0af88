/**
 * The message catalogue: every user-facing string of the dashboard, in Japanese and English. One
 * catalogue, written per feature (each `features/<name>/messages.ts` holds its own keys, prefixed
 * with the feature) and merged here. The words the server's messages say too (priorities, alert
 * states and events, professions, team roles, sensitivity, NEWS2 parameters, units, timeline
 * kinds) come from the contract's catalogue (contract/src/catalogue.ts), metric names from its
 * metric table and rule names from RULE_NAMES: never a second copy here.
 */
import { signal } from '@preact/signals';
import { capitalised, type Lang, METRICS, type Metric, WORDS, type WordGroup } from '@vitals/contract';
import * as account from './features/account/messages.ts';
import * as admin from './features/admin/messages.ts';
import * as alerts from './features/alerts/messages.ts';
import * as patient from './features/patient/messages.ts';
import * as timeline from './features/timeline/messages.ts';
import * as wall from './features/wall/messages.ts';

export const LOCALES = ['ja', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'ja';

/** BCP 47 tags handed to Intl; `en-US` keeps month names short and unambiguous ("Nov 24"). */
export const INTL_LOCALE: Record<Locale, string> = { ja: 'ja-JP', en: 'en-US' };

const core = {
  'app.title': 'Vitals',
  'app.skipToContent': 'Skip to content',
  'nav.wall': 'Ward board',
  'nav.alerts': 'Alerts',
  'nav.main': 'Main',
  'nav.logout': 'Sign out',
  'push.enable': 'Alerts on this device',
  'push.on': 'Alerts on this device: on',
  'push.denied': 'Notifications are blocked in this browser',
  'push.failed': 'Could not turn on alerts: {message}',
  'nav.language': 'Language',
  'nav.otherLanguage': '日本語',
  'nav.signedInAs': 'Signed in as {name}',
  'login.heading': 'Sign in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.missing': 'Enter both your email and your password.',
  'login.invalid': 'The email or password is not correct. Check both and try again.',
  'login.code': 'Code from your authenticator app',
  'login.codeHint': 'Six digits, or one of your recovery codes.',
  'login.codeMissing': 'Enter the code shown in your authenticator app.',
  'login.codeInvalid': 'The code is not correct or was already used. Enter the code shown now.',
  'login.locked': 'Too many failed sign-ins. Wait and try again later, or ask your administrator.',
  'login.expired': 'This sign-in took too long. Enter your email and password again.',
  'enrol.heading': 'Set up a second factor',
  'enrol.intro':
    'Your account needs an authenticator app (for example Google Authenticator or Microsoft Authenticator). Add an account in the app with this key, then enter the code it shows.',
  'enrol.key': 'Key',
  'enrol.submit': 'Confirm',
  'enrol.recoveryHeading': 'Recovery codes',
  'enrol.recoveryIntro':
    'Keep these codes somewhere safe. Each works once if you lose your phone. They are shown only now.',
  'enrol.continue': 'I have kept them: continue',
  'connection.connecting': 'Connecting…',
  'connection.live': 'Live',
  'connection.reconnecting': 'Reconnecting…',
  'wall.heading': 'Patients',
  'wall.empty': 'There are no patients to show. Ask an administrator to give you access to your patients.',
  'wall.noValue': 'No reading',
  'wall.stale': 'Old',
  'wall.measuredAt': 'Measured {time} ({ago})',
  'wall.openPatient': 'Open the charts of {name}',
  'metric.bp': 'Blood pressure',
  'patient.back': '← All patients',
  'patient.birthDate': 'Born {date}',
  'patient.timezone': 'Times shown in {zone}',
  'patient.range': 'Period',
  'patient.noReadings': 'There are no readings for this patient yet.',
  'patient.noDataInRange': 'No readings in this period.',
  'patient.notFound': 'This patient does not exist or you may not see them. Go back to the list of patients.',
  'patient.resolution': 'Each point is the {bucket} min–max range and average.',
  'range.6h': '6 h',
  'range.24h': '24 h',
  'range.7d': '7 days',
  'range.30d': '30 days',
  'bucket.seconds': '{n}-second',
  'bucket.minutes': '{n}-minute',
  'bucket.hours': '{n}-hour',
  'bucket.days': '{n}-day',
  'chart.min': 'min',
  'chart.avg': 'avg',
  'chart.max': 'max',
  'chart.time': 'Time',
  'page.loading': 'Loading…',
  'page.notFound': 'This page does not exist. Go to the list of patients.',
  'error.network': 'The server cannot be reached. Check the network connection; the page keeps trying.',
  'error.server': 'The server could not answer ({code}: {message}). Try again in a moment.',
  'error.notAccepted': 'Not accepted, correct this and save again (the server says):',
  'unit.': '(ACVPU)',
} as const;

type SharedKeys<P extends string, G extends WordGroup> = {
  [K in keyof (typeof WORDS)[G] & string as `${P}.${K}`]: string;
};

/** A shared word as the dashboard shows it: as a label (capitalised), except units ("mg/dL"). */
export function asShown(group: WordGroup, text: string): string {
  return group === 'unit' ? text : capitalised(text);
}

/** The contract catalogue's group as keys `{prefix}.{key}`. */
function shared<P extends string, G extends WordGroup>(prefix: P, group: G, lang: Lang): SharedKeys<P, G> {
  const table: Readonly<Record<string, { ja: string; en: string }>> = WORDS[group];
  return Object.fromEntries(
    Object.entries(table).map(([key, words]) => [`${prefix}.${key}`, asShown(group, words[lang])]),
  ) as SharedKeys<P, G>;
}

/** Where each group of the shared catalogue appears among the dashboard's keys. */
function sharedWords(lang: Lang) {
  return {
    ...shared('alerts.priority', 'priority', lang),
    ...shared('alerts.state', 'alertState', lang),
    ...shared('alerts.event', 'alertEvent', lang),
    ...shared('timeline.kind', 'timelineKind', lang),
    ...shared('timeline.sensitivity', 'sensitivity', lang),
    ...shared('clearance', 'sensitivity', lang),
    ...shared('profession', 'profession', lang),
    ...shared('teamRole', 'teamRole', lang),
    ...shared('news2', 'news2Parameter', lang),
    ...shared('liveness', 'liveness', lang),
    ...shared('alerts.channel', 'channel', lang),
    ...shared('alerts.deliveryStatus', 'deliveryStatus', lang),
    ...shared('unit', 'unit', lang),
  };
}

/** The dashboard key of each shared group: what the test of the one catalogue compares. */
export const SHARED_PREFIXES: Record<WordGroup, string> = {
  priority: 'alerts.priority',
  alertState: 'alerts.state',
  alertEvent: 'alerts.event',
  timelineKind: 'timeline.kind',
  sensitivity: 'timeline.sensitivity',
  profession: 'profession',
  teamRole: 'teamRole',
  news2Parameter: 'news2',
  liveness: 'liveness',
  channel: 'alerts.channel',
  deliveryStatus: 'alerts.deliveryStatus',
  unit: 'unit',
};

const en = {
  ...core,
  ...sharedWords('en'),
  ...account.en,
  ...admin.en,
  ...alerts.en,
  ...patient.en,
  ...timeline.en,
  ...wall.en,
};

export type MessageKey = keyof typeof en;

const coreJa: Record<keyof typeof core, string> = {
  'app.title': 'バイタル',
  'app.skipToContent': '本文へ移動',
  'nav.wall': '病棟ボード',
  'nav.alerts': '警報',
  'nav.main': 'メイン',
  'nav.logout': 'ログアウト',
  'push.enable': 'この端末で警報を受け取る',
  'push.on': 'この端末で警報を受信中',
  'push.denied': 'このブラウザでは通知がブロックされています',
  'push.failed': '警報の受信を設定できませんでした: {message}',
  'nav.language': '言語',
  'nav.otherLanguage': 'English',
  'nav.signedInAs': '{name} さんでログイン中',
  'login.heading': 'ログイン',
  'login.email': 'メールアドレス',
  'login.password': 'パスワード',
  'login.submit': 'ログイン',
  'login.submitting': 'ログイン中…',
  'login.missing': 'メールアドレスとパスワードを入力してください。',
  'login.invalid': 'メールアドレスまたはパスワードが正しくありません。確認してもう一度お試しください。',
  'login.code': '認証アプリのコード',
  'login.codeHint': '6桁の数字、またはリカバリーコードを入力してください。',
  'login.codeMissing': '認証アプリに表示されているコードを入力してください。',
  'login.codeInvalid': 'コードが正しくないか、すでに使用されています。いま表示されているコードを入力してください。',
  'login.locked': 'ログインの失敗が多すぎます。しばらく待ってから再度お試しいただくか、管理者にご相談ください。',
  'login.expired': 'ログインに時間がかかりすぎました。メールアドレスとパスワードをもう一度入力してください。',
  'enrol.heading': '二要素認証の設定',
  'enrol.intro':
    'このアカウントには認証アプリ(Google Authenticator、Microsoft Authenticator など)が必要です。アプリにこのキーでアカウントを追加し、表示されたコードを入力してください。',
  'enrol.key': 'キー',
  'enrol.submit': '確認',
  'enrol.recoveryHeading': 'リカバリーコード',
  'enrol.recoveryIntro':
    'このコードを安全な場所に保管してください。スマートフォンを紛失したときに、それぞれ1回だけ使えます。表示されるのは今回だけです。',
  'enrol.continue': '保管しました。続ける',
  'connection.connecting': '接続中…',
  'connection.live': 'ライブ',
  'connection.reconnecting': '再接続中…',
  'wall.heading': '患者一覧',
  'wall.empty': '表示できる患者がいません。管理者に担当患者へのアクセスを依頼してください。',
  'wall.noValue': '測定値なし',
  'wall.stale': '古い値',
  'wall.measuredAt': '測定 {time}（{ago}）',
  'wall.openPatient': '{name} さんのグラフを開く',
  'metric.bp': '血圧',
  'patient.back': '← 全患者',
  'patient.birthDate': '生年月日 {date}',
  'patient.timezone': '時刻は {zone} で表示',
  'patient.range': '期間',
  'patient.noReadings': 'この患者の測定値はまだありません。',
  'patient.noDataInRange': 'この期間の測定値はありません。',
  'patient.notFound': 'この患者は存在しないか、閲覧権限がありません。患者一覧に戻ってください。',
  'patient.resolution': '各点は{bucket}ごとの最小〜最大の範囲と平均です。',
  'range.6h': '6時間',
  'range.24h': '24時間',
  'range.7d': '7日',
  'range.30d': '30日',
  'bucket.seconds': '{n}秒',
  'bucket.minutes': '{n}分',
  'bucket.hours': '{n}時間',
  'bucket.days': '{n}日',
  'chart.min': '最小',
  'chart.avg': '平均',
  'chart.max': '最大',
  'chart.time': '時刻',
  'page.loading': '読み込み中…',
  'page.notFound': 'このページは存在しません。患者一覧へ移動してください。',
  'error.network': 'サーバーに接続できません。ネットワーク接続を確認してください。自動的に再試行します。',
  'error.server': 'サーバーが応答できませんでした（{code}: {message}）。しばらくしてからもう一度お試しください。',
  'error.notAccepted': '受け付けられませんでした。修正してもう一度保存してください（サーバーからの説明）:',
  'unit.': '(ACVPU)',
};

const ja: Record<MessageKey, string> = {
  ...coreJa,
  ...sharedWords('ja'),
  ...account.ja,
  ...admin.ja,
  ...alerts.ja,
  ...patient.ja,
  ...timeline.ja,
  ...wall.ja,
};

export const CATALOGUE: Record<Locale, Record<MessageKey, string>> = { en, ja };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The message for `key` with `{name}` placeholders filled in; unknown placeholders stay visible. */
export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  return CATALOGUE[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export function metricLabel(locale: Locale, metric: Metric): string {
  return METRICS[metric][locale];
}

/** Display text for a UCUM unit code; codes without an entry are shown as they are. */
export function unitLabel(locale: Locale, unit: string): string {
  const key = `unit.${unit}`;
  return Object.hasOwn(CATALOGUE[locale], key) ? CATALOGUE[locale][key as MessageKey] : unit;
}

/** A bucket size in its largest whole unit: "5-minute", "2時間". */
export function bucketLabel(locale: Locale, seconds: number): string {
  if (seconds % 86_400 === 0) return translate(locale, 'bucket.days', { n: seconds / 86_400 });
  if (seconds % 3600 === 0) return translate(locale, 'bucket.hours', { n: seconds / 3600 });
  if (seconds % 60 === 0) return translate(locale, 'bucket.minutes', { n: seconds / 60 });
  return translate(locale, 'bucket.seconds', { n: seconds });
}

export const LOCALE_STORAGE_KEY = 'vitals.locale';

/** The language the user chose with the toggle, if any; it wins over the account's locale. */
export function storedLocale(storage: Pick<Storage, 'getItem'>): Locale | null {
  try {
    const value = storage.getItem(LOCALE_STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null; // storage disabled (private mode, policy): fall back to the account's locale
  }
}

export function storeLocale(storage: Pick<Storage, 'setItem'>, locale: Locale): void {
  try {
    storage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // storage disabled: the choice lasts until the page is reloaded
  }
}

/** The UI language; a component that calls `t()` re-renders when it changes (a signal read). */
export const uiLocale = signal<Locale>(DEFAULT_LOCALE);

export function currentLocale(): Locale {
  return uiLocale.value;
}

export function setCurrentLocale(locale: Locale): void {
  uiLocale.value = locale;
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** The message in the current UI language. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(uiLocale.value, key, params);
}
