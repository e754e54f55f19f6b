/**
 * time.Time (always in UTC here), time.Month, time.Weekday and time.Duration: how they print and
 * the methods templates may call on them, with Go's semantics.
 */
import { GoFloat, GoInt64, GoNamedInt, GoNilPointer, GoTime, GoUint } from './values.js';
import { canonical } from './unicode.js';

const LONG_MONTHS = [
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
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Seconds from 0001-01-01 to 1970-01-01, the offset of Go's internal clock. */
const UNIX_TO_INTERNAL = 62135596800;
const NS_PER_MS = 1000000n;
const NS_PER_S = 1000000000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export function timeDate(v: GoTime | Date): Date {
  return v instanceof GoTime ? v.date : v;
}

/** Nanoseconds below the millisecond the Date holds. */
function subMs(v: GoTime | Date): number {
  return v instanceof GoTime ? v.nsec : 0;
}

/** Nanoseconds since the Unix epoch. */
export function unixNano(v: GoTime | Date): bigint {
  return BigInt(timeDate(v).getTime()) * NS_PER_MS + BigInt(subMs(v));
}

function fromUnixNano(ns: bigint): GoTime {
  let ms = ns / NS_PER_MS;
  let rest = ns % NS_PER_MS;
  if (rest < 0n) {
    rest += NS_PER_MS;
    ms -= 1n;
  }
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) throw new Error('time out of the range this engine supports');
  return new GoTime(d, Number(rest));
}

/** Nanosecond within the second. */
function nanosecond(v: GoTime | Date): number {
  const ms = timeDate(v).getTime();
  return (((ms % 1000) + 1000) % 1000) * 1e6 + subMs(v);
}

function yearDay(d: Date): number {
  const start = new Date(0);
  start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
  start.setUTCHours(0, 0, 0, 0);
  const day = new Date(0);
  day.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  day.setUTCHours(0, 0, 0, 0);
  return Math.round((day.getTime() - start.getTime()) / 86400000) + 1;
}

/** time's appendInt: at least width digits, the sign in front. */
function appendInt(x: number, width: number): string {
  const s = String(Math.abs(x));
  const padded = s.length < width ? '0'.repeat(width - s.length) + s : s;
  return x < 0 ? '-' + padded : padded;
}

// Layout elements (time/format.go's std values, without the packed flags).
const enum Std {
  None,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

const STD_0X = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year];

interface Chunk {
  prefix: string;
  std: Std;
  /** Fractional seconds: digit count and separator. */
  digits: number;
  sep: string;
  suffix: string;
}

function startsWithLowerCase(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 0x61 && c <= 0x7a;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** time.nextStdChunk. */
function nextStdChunk(layout: string): Chunk {
  const chunk = (i: number, std: Std, next: number, digits = 0, sep = '.'): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    digits,
    sep,
    suffix: layout.slice(next),
  });
  for (let i = 0; i < layout.length; i++) {
    switch (layout[i]) {
      case 'J':
        if (layout.startsWith('Jan', i)) {
          if (layout.startsWith('January', i)) return chunk(i, Std.LongMonth, i + 7);
          if (!startsWithLowerCase(layout.slice(i + 3))) return chunk(i, Std.Month, i + 3);
        }
        break;
      case 'M':
        if (layout.startsWith('Mon', i)) {
          if (layout.startsWith('Monday', i)) return chunk(i, Std.LongWeekDay, i + 6);
          if (!startsWithLowerCase(layout.slice(i + 3))) return chunk(i, Std.WeekDay, i + 3);
        }
        if (layout.startsWith('MST', i)) return chunk(i, Std.TZ, i + 3);
        break;
      case '0':
        if (i + 1 < layout.length && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          return chunk(i, STD_0X[layout.charCodeAt(i + 1) - 0x31], i + 2);
        }
        if (layout.startsWith('002', i)) return chunk(i, Std.ZeroYearDay, i + 3);
        break;
      case '1':
        if (layout[i + 1] === '5') return chunk(i, Std.Hour, i + 2);
        return chunk(i, Std.NumMonth, i + 1);
      case '2':
        if (layout.startsWith('2006', i)) return chunk(i, Std.LongYear, i + 4);
        return chunk(i, Std.Day, i + 1);
      case '_':
        if (layout[i + 1] === '2') {
          // "_2006" is "_" followed by the long year.
          if (layout.startsWith('2006', i + 1)) return chunk(i + 1, Std.LongYear, i + 5);
          return chunk(i, Std.UnderDay, i + 2);
        }
        if (layout.startsWith('__2', i)) return chunk(i, Std.UnderYearDay, i + 3);
        break;
      case '3':
        return chunk(i, Std.Hour12, i + 1);
      case '4':
        return chunk(i, Std.Minute, i + 1);
      case '5':
        return chunk(i, Std.Second, i + 1);
      case 'P':
        if (layout[i + 1] === 'M') return chunk(i, Std.PM, i + 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return chunk(i, Std.pm, i + 2);
        break;
      case '-':
        if (layout.startsWith('-070000', i)) return chunk(i, Std.NumSecondsTz, i + 7);
        if (layout.startsWith('-07:00:00', i)) return chunk(i, Std.NumColonSecondsTZ, i + 9);
        if (layout.startsWith('-0700', i)) return chunk(i, Std.NumTZ, i + 5);
        if (layout.startsWith('-07:00', i)) return chunk(i, Std.NumColonTZ, i + 6);
        if (layout.startsWith('-07', i)) return chunk(i, Std.NumShortTZ, i + 3);
        break;
      case 'Z':
        if (layout.startsWith('Z070000', i)) return chunk(i, Std.ISO8601SecondsTZ, i + 7);
        if (layout.startsWith('Z07:00:00', i)) return chunk(i, Std.ISO8601ColonSecondsTZ, i + 9);
        if (layout.startsWith('Z0700', i)) return chunk(i, Std.ISO8601TZ, i + 5);
        if (layout.startsWith('Z07:00', i)) return chunk(i, Std.ISO8601ColonTZ, i + 6);
        if (layout.startsWith('Z07', i)) return chunk(i, Std.ISO8601ShortTZ, i + 3);
        break;
      case '.':
      case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            // Go packs the count in 12 bits.
            const n = (j - (i + 1)) & 0xfff;
            return chunk(i, ch === '0' ? Std.FracSecond0 : Std.FracSecond9, j, n, layout[i]);
          }
        }
        break;
    }
  }
  return { prefix: layout, std: Std.None, digits: 0, sep: '.', suffix: '' };
}

/** Time.Format for a UTC time. */
export function timeFormat(v: GoTime | Date, layout: string): string {
  const d = timeDate(v);
  let out = '';
  while (layout !== '') {
    const c = nextStdChunk(layout);
    out += c.prefix;
    if (c.std === Std.None) break;
    layout = c.suffix;
    const hour = d.getUTCHours();
    switch (c.std) {
      case Std.Year:
        out += appendInt(Math.abs(d.getUTCFullYear()) % 100, 2);
        break;
      case Std.LongYear:
        out += appendInt(d.getUTCFullYear(), 4);
        break;
      case Std.Month:
        out += LONG_MONTHS[d.getUTCMonth()].slice(0, 3);
        break;
      case Std.LongMonth:
        out += LONG_MONTHS[d.getUTCMonth()];
        break;
      case Std.NumMonth:
        out += appendInt(d.getUTCMonth() + 1, 0);
        break;
      case Std.ZeroMonth:
        out += appendInt(d.getUTCMonth() + 1, 2);
        break;
      case Std.WeekDay:
        out += LONG_DAYS[d.getUTCDay()].slice(0, 3);
        break;
      case Std.LongWeekDay:
        out += LONG_DAYS[d.getUTCDay()];
        break;
      case Std.Day:
        out += appendInt(d.getUTCDate(), 0);
        break;
      case Std.UnderDay:
        if (d.getUTCDate() < 10) out += ' ';
        out += appendInt(d.getUTCDate(), 0);
        break;
      case Std.ZeroDay:
        out += appendInt(d.getUTCDate(), 2);
        break;
      case Std.UnderYearDay: {
        const yd = yearDay(d);
        if (yd < 100) out += yd < 10 ? '  ' : ' ';
        out += appendInt(yd, 0);
        break;
      }
      case Std.ZeroYearDay:
        out += appendInt(yearDay(d), 3);
        break;
      case Std.Hour:
        out += appendInt(hour, 2);
        break;
      case Std.Hour12:
        out += appendInt(hour % 12 === 0 ? 12 : hour % 12, 0);
        break;
      case Std.ZeroHour12:
        out += appendInt(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case Std.Minute:
        out += appendInt(d.getUTCMinutes(), 0);
        break;
      case Std.ZeroMinute:
        out += appendInt(d.getUTCMinutes(), 2);
        break;
      case Std.Second:
        out += appendInt(d.getUTCSeconds(), 0);
        break;
      case Std.ZeroSecond:
        out += appendInt(d.getUTCSeconds(), 2);
        break;
      case Std.PM:
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case Std.pm:
        out += hour >= 12 ? 'pm' : 'am';
        break;
      case Std.ISO8601TZ:
      case Std.ISO8601ColonTZ:
      case Std.ISO8601SecondsTZ:
      case Std.ISO8601ShortTZ:
      case Std.ISO8601ColonSecondsTZ:
        // The offset is always 0 (UTC): the ISO 8601 forms print Z.
        out += 'Z';
        break;
      case Std.NumTZ:
        out += '+0000';
        break;
      case Std.NumSecondsTz:
        out += '+000000';
        break;
      case Std.NumShortTZ:
        out += '+00';
        break;
      case Std.NumColonTZ:
        out += '+00:00';
        break;
      case Std.NumColonSecondsTZ:
        out += '+00:00:00';
        break;
      case Std.TZ:
        out += 'UTC';
        break;
      case Std.FracSecond0:
      case Std.FracSecond9: {
        const digits = String(nanosecond(v)).padStart(9, '0');
        let n = Math.min(c.digits, 9);
        if (c.std === Std.FracSecond9) {
          while (n > 0 && digits[n - 1] === '0') n--;
          if (n === 0) break;
        }
        out += c.sep + digits.slice(0, n);
        break;
      }
    }
  }
  // Layout bytes are copied as they are; dropping an empty fraction may join escaped bytes.
  return canonical(out);
}

/** Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST", always UTC here. */
export function timeString(v: GoTime | Date): string {
  return timeFormat(v, '2006-01-02 15:04:05.999999999 -0700 MST');
}

/** Time.GoString(), used by %#v. */
export function timeGoString(v: GoTime | Date): string {
  const d = timeDate(v);
  return (
    `time.Date(${d.getUTCFullYear()}, time.${LONG_MONTHS[d.getUTCMonth()]}, ${d.getUTCDate()}, ` +
    `${d.getUTCHours()}, ${d.getUTCMinutes()}, ${d.getUTCSeconds()}, ${nanosecond(v)}, time.UTC)`
  );
}

/** The unexported fields fmt shows when it prints a time.Time as a plain struct. */
export function timeFields(v: GoTime | Date): [string, unknown][] {
  const ms = timeDate(v).getTime();
  const sec = Math.floor(ms / 1000);
  return [
    ['wall', new GoUint(nanosecond(v), 'uint64')],
    ['ext', new GoInt64(sec + UNIX_TO_INTERNAL)],
    ['loc', new GoNilPointer('time.Location')],
  ];
}

// Named integer types.

/** Duration.String(). */
export function durationString(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    let s = '';
    let print = false;
    for (let i = 0; i < prec; i++) {
      const digit = v % 10n;
      print = print || digit !== 0n;
      if (print) s = String(digit) + s;
      v /= 10n;
    }
    return [print ? '.' + s : '', v];
  };
  if (u < NS_PER_S) {
    let unit: string;
    let prec: number;
    if (u < 1000n) {
      unit = 'ns';
      prec = 0;
    } else if (u < 1000000n) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const [f, rest] = frac(u, prec);
    out = String(rest) + f + unit;
  } else {
    const [f, rest] = frac(u, 9);
    u = rest;
    out = String(u % 60n) + f + 's';
    u /= 60n;
    if (u > 0n) {
      out = String(u % 60n) + 'm' + out;
      u /= 60n;
      if (u > 0n) out = String(u) + 'h' + out;
    }
  }
  return neg ? '-' + out : out;
}

/** String() of a time.Month, time.Weekday or time.Duration. */
export function namedIntString(v: GoNamedInt): string {
  const n = Number(v.value);
  switch (v.type) {
    case 'time.Month':
      return n >= 1 && n <= 12 ? LONG_MONTHS[n - 1] : `%!Month(${n})`;
    case 'time.Weekday':
      return n >= 0 && n <= 6 ? LONG_DAYS[n] : `%!Weekday(${n})`;
    case 'time.Duration':
      return durationString(BigInt(v.value));
  }
}

// Methods.

/** A method as evalCall sees it: Go parameter types and, for unusable methods, Go's result count. */
export interface MethodSpec {
  params: readonly string[];
  /** Number of results when Go's template engine cannot call it (not 1, and no error as second). */
  badResults?: number;
  fn?: (recv: never, ...args: never[]) => unknown;
}

function int64Of(b: bigint): number | bigint {
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b;
}

function floatOf(f: number): number | GoFloat {
  return Number.isInteger(f) ? new GoFloat(f) : f;
}

function duration(d: bigint): GoNamedInt {
  return new GoNamedInt('time.Duration', d < INT64_MIN ? INT64_MIN : d > INT64_MAX ? INT64_MAX : d);
}

function durationValue(d: GoNamedInt): bigint {
  return BigInt(d.value);
}

type T = GoTime | Date;

/** Nanoseconds since Go's zero time (0001-01-01), for Truncate and Round. */
function sinceZero(t: T): bigint {
  return unixNano(t) + BigInt(UNIX_TO_INTERNAL) * NS_PER_S;
}

function floorMod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function lessThanHalf(x: bigint, y: bigint): boolean {
  return BigInt.asUintN(64, x) + BigInt.asUintN(64, x) < BigInt.asUintN(64, y);
}

function withDate(t: T, year: number, month: number, day: number): GoTime {
  const src = timeDate(t);
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(src.getUTCHours(), src.getUTCMinutes(), src.getUTCSeconds(), src.getUTCMilliseconds());
  if (Number.isNaN(d.getTime())) throw new Error('time out of the range this engine supports');
  return new GoTime(d, subMs(t));
}

const TIME_METHODS: Record<string, MethodSpec> = {
  Year: { params: [], fn: (t: T) => timeDate(t).getUTCFullYear() },
  Month: { params: [], fn: (t: T) => new GoNamedInt('time.Month', timeDate(t).getUTCMonth() + 1) },
  Day: { params: [], fn: (t: T) => timeDate(t).getUTCDate() },
  Hour: { params: [], fn: (t: T) => timeDate(t).getUTCHours() },
  Minute: { params: [], fn: (t: T) => timeDate(t).getUTCMinutes() },
  Second: { params: [], fn: (t: T) => timeDate(t).getUTCSeconds() },
  Nanosecond: { params: [], fn: (t: T) => nanosecond(t) },
  YearDay: { params: [], fn: (t: T) => yearDay(timeDate(t)) },
  Weekday: { params: [], fn: (t: T) => new GoNamedInt('time.Weekday', timeDate(t).getUTCDay()) },
  Unix: { params: [], fn: (t: T) => new GoInt64(Math.floor(timeDate(t).getTime() / 1000)) },
  UnixMilli: { params: [], fn: (t: T) => new GoInt64(timeDate(t).getTime()) },
  UnixMicro: {
    params: [],
    fn: (t: T) => new GoInt64(int64Of(BigInt(timeDate(t).getTime()) * 1000n + BigInt(Math.floor(subMs(t) / 1000)))),
  },
  UnixNano: { params: [], fn: (t: T) => new GoInt64(int64Of(unixNano(t))) },
  UTC: { params: [], fn: (t: T) => (t instanceof GoTime ? t : new GoTime(t)) },
  String: { params: [], fn: (t: T) => timeString(t) },
  GoString: { params: [], fn: (t: T) => timeGoString(t) },
  Format: { params: ['string'], fn: (t: T, layout: string) => timeFormat(t, layout) },
  IsZero: { params: [], fn: (t: T) => unixNano(t) === -BigInt(UNIX_TO_INTERNAL) * NS_PER_S },
  IsDST: { params: [], fn: () => false },
  Before: { params: ['time.Time'], fn: (t: T, u: T) => unixNano(t) < unixNano(u) },
  After: { params: ['time.Time'], fn: (t: T, u: T) => unixNano(t) > unixNano(u) },
  Equal: { params: ['time.Time'], fn: (t: T, u: T) => unixNano(t) === unixNano(u) },
  AddDate: {
    params: ['int', 'int', 'int'],
    fn: (t: T, y: number | bigint, m: number | bigint, d: number | bigint) => {
      const src = timeDate(t);
      return withDate(t, src.getUTCFullYear() + Number(y), src.getUTCMonth() + Number(m), src.getUTCDate() + Number(d));
    },
  },
  Add: { params: ['time.Duration'], fn: (t: T, d: GoNamedInt) => fromUnixNano(unixNano(t) + durationValue(d)) },
  Sub: { params: ['time.Time'], fn: (t: T, u: T) => duration(unixNano(t) - unixNano(u)) },
  Truncate: {
    params: ['time.Duration'],
    fn: (t: T, d: GoNamedInt) => {
      const m = durationValue(d);
      if (m <= 0n) return t instanceof GoTime ? t : new GoTime(t);
      return fromUnixNano(unixNano(t) - floorMod(sinceZero(t), m));
    },
  },
  Round: {
    params: ['time.Duration'],
    fn: (t: T, d: GoNamedInt) => {
      const m = durationValue(d);
      if (m <= 0n) return t instanceof GoTime ? t : new GoTime(t);
      const r = floorMod(sinceZero(t), m);
      return fromUnixNano(unixNano(t) + (lessThanHalf(r, m) ? -r : m - r));
    },
  },
  Date: { params: [], badResults: 3 },
  Clock: { params: [], badResults: 3 },
  ISOWeek: { params: [], badResults: 2 },
  Zone: { params: [], badResults: 2 },
  ZoneBounds: { params: [], badResults: 2 },
};

/** Methods Go has that this engine does not implement (they need types it does not model). */
const UNSUPPORTED_TIME_METHODS = new Set(
  'AppendFormat GobEncode In Local Location MarshalBinary MarshalJSON MarshalText'.split(' '),
);

const DURATION_METHODS: Record<string, MethodSpec> = {
  String: { params: [], fn: (d: GoNamedInt) => durationString(durationValue(d)) },
  Nanoseconds: { params: [], fn: (d: GoNamedInt) => new GoInt64(int64Of(durationValue(d))) },
  Microseconds: { params: [], fn: (d: GoNamedInt) => new GoInt64(int64Of(durationValue(d) / 1000n)) },
  Milliseconds: { params: [], fn: (d: GoNamedInt) => new GoInt64(int64Of(durationValue(d) / NS_PER_MS)) },
  Seconds: { params: [], fn: (d: GoNamedInt) => floatOf(durationUnits(durationValue(d), NS_PER_S)) },
  Minutes: { params: [], fn: (d: GoNamedInt) => floatOf(durationUnits(durationValue(d), 60n * NS_PER_S)) },
  Hours: { params: [], fn: (d: GoNamedInt) => floatOf(durationUnits(durationValue(d), 3600n * NS_PER_S)) },
  Truncate: {
    params: ['time.Duration'],
    fn: (d: GoNamedInt, m: GoNamedInt) => {
      const x = durationValue(d);
      const y = durationValue(m);
      return y <= 0n ? d : duration(x - (x % y));
    },
  },
  Round: {
    params: ['time.Duration'],
    fn: (d: GoNamedInt, m: GoNamedInt) => {
      const x = durationValue(d);
      const y = durationValue(m);
      if (y <= 0n) return d;
      let r = x % y;
      if (x < 0n) {
        r = -r;
        if (lessThanHalf(r, y)) return duration(x + r);
        return duration(x - y + r);
      }
      if (lessThanHalf(r, y)) return duration(x - r);
      return duration(x + y - r);
    },
  },
  Abs: {
    params: [],
    fn: (d: GoNamedInt) => {
      const x = durationValue(d);
      return x >= 0n ? d : duration(x === INT64_MIN ? INT64_MAX : -x);
    },
  },
};

function durationUnits(d: bigint, unit: bigint): number {
  return Number(d / unit) + Number(d % unit) / Number(unit);
}

const STRING_METHOD: Record<string, MethodSpec> = {
  String: { params: [], fn: (v: GoNamedInt) => namedIntString(v) },
};

/**
 * The exported method `name` of a value of a time type: a spec, 'unsupported' for a real Go
 * method this engine lacks, or undefined when Go's type has no such method.
 */
export function lookupMethod(recv: unknown, name: string): MethodSpec | 'unsupported' | undefined {
  let table: Record<string, MethodSpec>;
  if (recv instanceof GoTime || recv instanceof Date) {
    if (UNSUPPORTED_TIME_METHODS.has(name)) return 'unsupported';
    table = TIME_METHODS;
  } else if (recv instanceof GoNamedInt) {
    table = recv.type === 'time.Duration' ? DURATION_METHODS : STRING_METHOD;
  } else return undefined;
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
