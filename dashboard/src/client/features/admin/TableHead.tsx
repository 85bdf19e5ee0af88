/** The header row of an administration table: its column names, and an unnamed actions column for screen readers. */
import { t } from '../../i18n.ts';

export function TableHead({ columns, actions = false }: { columns: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span class="visually-hidden">{t('admin.actions')}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
