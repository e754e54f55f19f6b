/** How a time.Time in UTC prints in Go. */
import { GoInt64, GoNilPointer, GoTime, GoUint } from './values.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Seconds from 0001-01-01 to 1970-01-01, the offset of Go's internal clock. */
const UNIX_TO_INTERNAL = 62135596800;

export function timeDate(v: GoTime | Date): Date {
  return v instanceof GoTime ? v.date : v;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

/** Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST", always UTC here. */
export function timeString(v: GoTime | Date): string {
  const d = timeDate(v);
  let s =
    pad(d.getUTCFullYear(), 4) +
    '-' +
    pad(d.getUTCMonth() + 1, 2) +
    '-' +
    pad(d.getUTCDate(), 2) +
    ' ' +
    pad(d.getUTCHours(), 2) +
    ':' +
    pad(d.getUTCMinutes(), 2) +
    ':' +
    pad(d.getUTCSeconds(), 2);
  const ms = d.getUTCMilliseconds();
  if (ms !== 0) s += '.' + pad(ms, 3).replace(/0+$/, '');
  return s + ' +0000 UTC';
}

/** Time.GoString(), used by %#v. */
export function timeGoString(v: GoTime | Date): string {
  const d = timeDate(v);
  return (
    `time.Date(${d.getUTCFullYear()}, time.${MONTHS[d.getUTCMonth()]}, ${d.getUTCDate()}, ` +
    `${d.getUTCHours()}, ${d.getUTCMinutes()}, ${d.getUTCSeconds()}, ${d.getUTCMilliseconds() * 1e6}, time.UTC)`
  );
}

/** The unexported fields fmt shows when it prints a time.Time as a plain struct. */
export function timeFields(v: GoTime | Date): [string, unknown][] {
  const ms = timeDate(v).getTime();
  const sec = Math.floor(ms / 1000);
  return [
    ['wall', new GoUint((ms - sec * 1000) * 1e6, 'uint64')],
    ['ext', new GoInt64(sec + UNIX_TO_INTERNAL)],
    ['loc', new GoNilPointer('time.Location')],
  ];
}
