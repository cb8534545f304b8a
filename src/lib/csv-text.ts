/** One CSV record as RFC 4180 writes it: a field quoted when it holds a comma, a quote, a line break or edge spaces. */

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export type CsvValue = string | number | null;

export function csvField(value: CsvValue): string {
  if (value === null) return "";
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The record's fields, comma-separated, ended by CRLF (what spreadsheets write and read). */
export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
