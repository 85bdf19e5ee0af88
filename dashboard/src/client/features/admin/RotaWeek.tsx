/**
 * A rota's coming week as a grid: a column per local day (in the rota's zone), a row per part of
 * the day the hand-over divides it into, each cell naming who the server says is on call then
 * (GET /rotas/{id}/on-call, so shift swaps count and the rule lives in one place, notify/oncall.ts).
 * The cell holding now is marked.
 */
import { wallTimeAt, wallTimeToUtc } from '@vitals/contract';
import { useEffect, useState } from 'preact/hooks';
import { INTL_LOCALE, t, uiLocale } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage, isAbort } from '../../ui/errors.ts';
import { oncallApi, type Rota } from './oncall-api.ts';

export interface WeekCell {
  /** Start of the part of the day (UTC ms). */
  from: number;
  to: number;
}

/**
 * The parts of the next 7 local days of `zone` from the day of `nowMs`: midnight to the hand-over
 * and the hand-over to midnight (one part when the hand-over is at midnight). `days[d][slot]`.
 */
export function weekCells(nowMs: number, zone: string, handoverTime: string): { day: number; cells: WeekCell[] }[] {
  const today = wallTimeAt(nowMs, zone);
  const [hh = 9, mm = 0] = handoverTime.split(':').map(Number);
  const at = (dayMs: number, hours: number, minutes: number) => {
    const d = new Date(dayMs);
    const w = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hours, minutes, seconds: 0 };
    return wallTimeToUtc(w, zone)?.getTime() ?? Number.NaN;
  };
  return Array.from({ length: 7 }, (_, k) => {
    const day = Date.UTC(today.year, today.month - 1, today.day + k);
    const next = Date.UTC(today.year, today.month - 1, today.day + k + 1);
    const bounds = hh === 0 && mm === 0 ? [at(day, 0, 0)] : [at(day, 0, 0), at(day, hh, mm)];
    const end = at(next, 0, 0);
    return { day, cells: bounds.map((from, i) => ({ from, to: bounds[i + 1] ?? end })) };
  });
}

export function RotaWeek({ rota, names }: { rota: Rota; names: ReadonlyMap<string, string> }) {
  const locale = uiLocale.value;
  const [now] = useState(() => Date.now());
  const week = weekCells(now, rota.timezone, rota.handoverTime);
  const [who, setWho] = useState<Map<number, string | null> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = JSON.stringify(rota);
  useEffect(() => {
    const controller = new AbortController();
    const starts = week.flatMap((d) => d.cells.map((c) => c.from));
    Promise.all(starts.map((s) => oncallApi.onCall(rota.id, new Date(s), controller.signal))).then(
      (answers) => setWho(new Map(starts.map((s, i) => [s, answers[i]?.userId ?? null]))),
      (err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      },
    );
    return () => controller.abort();
  }, [version]);
  const dayFormat = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: 'UTC',
    weekday: 'short',
    month: 'numeric',
    day: 'numeric',
  });
  const hand = rota.handoverTime;
  const rows = week[0]?.cells.length === 1 ? [t('rota.allDay', { time: hand })] : [`00:00–${hand}`, `${hand}–24:00`];
  return (
    <div class="rota-week">
      {error && <AlertBox text={error} />}
      <table class="admin-table rota-grid" data-testid="rota-week">
        <caption>{t('rota.weekOf', { name: rota.name, zone: rota.timezone })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rota.hours')}</th>
            {week.map((d) => (
              <th key={d.day} scope="col">
                {dayFormat.format(d.day)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((label, slot) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {week.map((d) => {
                const cell = d.cells[slot];
                if (!cell) return <td key={d.day} />;
                const current = cell.from <= now && now < cell.to;
                const id = who?.get(cell.from);
                const name = id === undefined ? '…' : id === null ? t('rota.nobody') : (names.get(id) ?? id);
                return (
                  <td
                    key={d.day}
                    class={current ? 'now' : undefined}
                    aria-current={current ? 'time' : undefined}
                    data-testid={current ? 'on-call-now-cell' : undefined}
                  >
                    {name}
                    {current && <strong class="now-mark"> {t('rota.now')}</strong>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
