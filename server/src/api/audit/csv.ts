/**
 * CSV for spreadsheets (RFC 4180, CRLF): every cell quoted, and a cell that a spreadsheet would
 * run as a formula (starting with = + - @, tab or carriage return) prefixed with ' (OWASP
 * "CSV Injection"). The file starts with a UTF-8 byte-order mark so that Excel reads Japanese
 * names as UTF-8 instead of Shift_JIS.
 */
export const UTF8_BOM = '\uFEFF';

export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replaceAll('"', '""')}"`;
}

export const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;
