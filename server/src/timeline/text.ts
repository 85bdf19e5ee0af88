/**
 * Copy-as-text (issue 15, the first depth of linkage): an item or a period's vitals as plain
 * text formatted for pasting into another system's record, in Japanese or English, times in
 * the patient's zone, values as people read them (the contract's `displayNumber`). Pure.
 */
import { capitalised, displayNumber, isMetric, METRICS, ruleName, wallTimeAt, word } from '@vitals/contract';

export type Lang = 'ja' | 'en';

export interface MetricValue {
  metric: string;
  unit: string;
  value?: number | null;
  code?: string | null;
  min?: number | null;
  max?: number | null;
  count?: number;
}

function label(metric: string, lang: Lang): string {
  return isMetric(metric) ? METRICS[metric][lang] : metric;
}

function shown(v: number, metric: string, unit: string): string {
  return displayNumber(v, { metric, unit });
}

/** One value or range: "132/84 mmHg" for blood pressure, "97 %" or "96–98 %" otherwise. */
function valueText(m: MetricValue, ranged: boolean, lang: Lang): string {
  // Units, kinds and alert events in the words of the contract's catalogue, as the dashboard shows them.
  const unit = word('unit', m.unit, lang);
  const withUnit = (s: string) => (unit ? `${s} ${unit}` : s);
  if (m.code) return m.code;
  if (ranged && m.min != null && m.max != null && m.min !== m.max)
    return withUnit(`${shown(m.min, m.metric, m.unit)}–${shown(m.max, m.metric, m.unit)}`);
  const v = m.value ?? m.max ?? m.min;
  return v == null ? '—' : withUnit(shown(v, m.metric, m.unit));
}

/** "血圧 132/84 mmHg、脈拍 72 /分、SpO2 97 %": systolic and diastolic together. */
export function vitalsText(values: readonly MetricValue[], lang: Lang, ranged = false): string {
  const by = new Map(values.map((v) => [v.metric, v]));
  const parts: string[] = [];
  const sys = by.get('bp_systolic');
  const dia = by.get('bp_diastolic');
  if (sys && dia) {
    const side = (m: MetricValue) =>
      ranged && m.min != null && m.max != null && m.min !== m.max
        ? `${shown(m.min, m.metric, m.unit)}–${shown(m.max, m.metric, m.unit)}`
        : shown(m.value ?? m.max ?? m.min ?? 0, m.metric, m.unit);
    const bp = `${side(sys)}/${side(dia)}`;
    parts.push(`${lang === 'ja' ? '血圧' : 'BP'} ${bp} ${word('unit', 'mm[Hg]', lang)}`);
    by.delete('bp_systolic');
    by.delete('bp_diastolic');
    by.delete('bp_mean');
  }
  for (const v of by.values()) parts.push(`${label(v.metric, lang)} ${valueText(v, ranged, lang)}`);
  return parts.join(lang === 'ja' ? '、' : ', ');
}

/** "2026-12-03 07:05" in the zone. */
export function localTime(iso: string | Date, tz: string): string {
  const w = wallTimeAt(new Date(iso).getTime(), tz);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hours)}:${p(w.minutes)}`;
}

/** A period's summary: "本日のバイタル: 血圧 118–132/70–84 mmHg、…" (ranges when there are several readings). */
export function summaryText(
  values: readonly MetricValue[],
  o: { from: Date; to: Date; tz: string; lang: Lang; patientName?: string },
): string {
  const day = o.to.getTime() - o.from.getTime() <= 86_400_000;
  const head =
    o.lang === 'ja'
      ? day
        ? '本日のバイタル'
        : `バイタル（${localTime(o.from, o.tz)}〜${localTime(o.to, o.tz)}）`
      : day
        ? "Today's vital signs"
        : `Vital signs (${localTime(o.from, o.tz)} to ${localTime(o.to, o.tz)})`;
  const who = o.patientName ? `${o.patientName} ` : '';
  if (values.length === 0) return `${who}${head}: ${o.lang === 'ja' ? '測定なし' : 'no readings'}`;
  return `${who}${head}: ${vitalsText(values, o.lang, true)}`;
}

export interface ItemForText {
  kind: string;
  time: string;
  author?: { displayName: string; profession?: string };
  /** Who of the team may read it: a copy keeps saying so when it is more than the whole team. */
  sensitivity?: string;
  body: string;
  tags: string[];
  template?: { ja: string; en: string; fields: { key: string; ja: string; en: string }[] };
  fields?: Record<string, string | number>;
  snapshot?: Record<string, unknown>;
  detail?: Record<string, unknown>;
  edited: boolean;
  withdrawn?: { reason: string };
}

/** The snapshot's values as a line, or undefined when it has none. */
export function snapshotText(s: Record<string, unknown> | undefined, lang: Lang): string | undefined {
  const values = s?.values;
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const ranged = s?.kind === 'period';
  const head = ranged
    ? lang === 'ja'
      ? '期間のバイタル'
      : 'Vital signs in the period'
    : lang === 'ja'
      ? '最新のバイタル'
      : 'Latest vital signs';
  return `${head}: ${vitalsText(values as MetricValue[], lang, ranged)}`;
}

/** An item as text: a header line (time, kind, author), the body, the template's fields, the snapshot. */
export function itemText(i: ItemForText, lang: Lang, tz: string): string {
  const kind = capitalised(word('timelineKind', i.kind, lang));
  // The author with their profession, as screens name people ("加藤 看護師（看護師）").
  const profession = i.author?.profession ? word('profession', i.author.profession, lang) : '';
  const by = i.author
    ? ` ${i.author.displayName}${profession ? (lang === 'ja' ? `（${profession}）` : ` (${profession})`) : ''}`
    : '';
  const scope =
    i.sensitivity && i.sensitivity !== 'team'
      ? lang === 'ja'
        ? `［${word('sensitivity', i.sensitivity, lang)}］`
        : ` [${word('sensitivity', i.sensitivity, lang)}]`
      : '';
  const lines = [
    `【${kind}】${localTime(i.time, tz)}${by}${i.edited ? (lang === 'ja' ? '（編集済み）' : ' (edited)') : ''}${scope}`,
  ];
  if (i.withdrawn) {
    lines.push(lang === 'ja' ? `取り下げ: ${i.withdrawn.reason}` : `Withdrawn: ${i.withdrawn.reason}`);
    return lines.join('\n');
  }
  if (i.template) lines.push(`${i.template[lang]}`);
  if (i.body) lines.push(i.body);
  for (const f of i.template?.fields ?? []) {
    const v = i.fields?.[f.key];
    if (v !== undefined && v !== '') lines.push(`${f[lang]}: ${v}`);
  }
  lines.push(...detailLines(i.kind, i.detail, lang));
  const snap = snapshotText(i.snapshot, lang);
  if (snap) lines.push(snap);
  if (i.tags.length) lines.push(`${lang === 'ja' ? 'タグ' : 'Tags'}: ${i.tags.join(', ')}`);
  return lines.join('\n');
}

/** What a system item's detail says, as lines. */
function detailLines(kind: string, d: Record<string, unknown> | undefined, lang: Lang): string[] {
  if (!d) return [];
  const out: string[] = [];
  if (typeof d.rule === 'string' && typeof d.transition === 'string')
    out.push(`${ruleName(d.rule, lang)}: ${word('alertEvent', d.transition, lang)}`);
  if (typeof d.event === 'string') out.push(d.event);
  if (typeof d.startsAt === 'string' && typeof d.endsAt === 'string')
    out.push(`${d.startsAt.slice(0, 16).replace('T', ' ')} – ${d.endsAt.slice(0, 16).replace('T', ' ')} UTC`);
  if (Array.isArray(d.values) && d.values.length)
    out.push(vitalsText(d.values as MetricValue[], lang, kind === 'digest'));
  if (Array.isArray(d.outOfBand) && d.outOfBand.length)
    out.push(
      `${lang === 'ja' ? '範囲外' : 'Out of band'}: ${(d.outOfBand as { rule: string; n: number }[]).map((x) => `${x.rule} ${x.n}`).join(', ')}`,
    );
  if (Array.isArray(d.missed) && d.missed.length)
    out.push(
      `${lang === 'ja' ? '未測定' : 'Missed'}: ${(d.missed as { metric: string; label: string | null }[]).map((x) => x.label ?? x.metric).join(', ')}`,
    );
  return out;
}
