/**
 * Plan time math: when a recording plan or an event-triggered plan is in effect.
 *
 * A plan is a week of time sections in its own UTC offset (`timeZone`, hours). A section covers
 * [begin, end) seconds of its day; `end = 86399`, the largest value the API accepts, means "until
 * midnight", so 0–86399 covers the whole day. `allDay = 1` ignores the sections: every day, all day.
 * Sections of one day that overlap or touch are merged; windows never cross midnight, so recording
 * files are cut at the end of each day's section.
 */

export interface TimeSection {
  readonly dayOfWeek: number;
  readonly begin: number;
  readonly end: number;
}

export interface Schedule {
  readonly allDay: number;
  readonly timeSectionList: readonly TimeSection[];
  readonly timeZone: number;
}

/** A half-open span of epoch milliseconds. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;
const HOUR_MS = 3_600_000;
/** 1970-01-01 was a Thursday (dayOfWeek 4). */
const EPOCH_DAY_OF_WEEK = 4;

/** The exclusive end in seconds of a section: the API's last second of the day means midnight. */
export function sectionEndSeconds(end: number): number {
  return end >= DAY_SECONDS - 1 ? DAY_SECONDS : end;
}

function weekday(dayIndex: number): number {
  return (((dayIndex + EPOCH_DAY_OF_WEEK) % 7) + 7) % 7;
}

/** Merged [begin, end) second spans of one day of the week. */
function daySpans(schedule: Schedule, dayOfWeek: number): [number, number][] {
  if (schedule.allDay === 1) return [[0, DAY_SECONDS]];
  const spans = schedule.timeSectionList
    .filter((section) => section.dayOfWeek === dayOfWeek)
    .map((section): [number, number] => [section.begin, sectionEndSeconds(section.end)])
    .filter(([begin, end]) => end > begin)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/** The window containing `at`, or the first one starting after it (looking 8 days ahead); null if none. */
export function nextWindow(schedule: Schedule, at: number): TimeWindow | null {
  const offset = schedule.timeZone * HOUR_MS;
  const firstDay = Math.floor((at + offset) / DAY_MS);
  for (let day = firstDay; day <= firstDay + 8; day += 1) {
    const dayStart = day * DAY_MS - offset;
    for (const [begin, end] of daySpans(schedule, weekday(day))) {
      const window = { start: dayStart + begin * 1000, end: dayStart + end * 1000 };
      if (window.end > at) return window;
    }
  }
  return null;
}

/** True when the plan is in effect at `at`. */
export function isInSchedule(schedule: Schedule, at: number): boolean {
  const window = nextWindow(schedule, at);
  return window !== null && window.start <= at;
}

/** Re-expresses sections given in `fromZone` in `toZone` (hours), splitting those that cross midnight. */
export function convertSections(sections: readonly TimeSection[], fromZone: number, toZone: number): TimeSection[] {
  const shift = (toZone - fromZone) * 3600;
  if (shift === 0) return sections.map((section) => ({ ...section }));
  const result: TimeSection[] = [];
  for (const section of sections) {
    const begin = section.dayOfWeek * DAY_SECONDS + section.begin + shift;
    const end = section.dayOfWeek * DAY_SECONDS + sectionEndSeconds(section.end) + shift;
    if (end <= begin) {
      const day = Math.floor(begin / DAY_SECONDS);
      const second = begin - day * DAY_SECONDS;
      result.push({ dayOfWeek: ((day % 7) + 7) % 7, begin: second, end: second });
      continue;
    }
    for (let day = Math.floor(begin / DAY_SECONDS); day * DAY_SECONDS < end; day += 1) {
      const pieceBegin = Math.max(begin, day * DAY_SECONDS) - day * DAY_SECONDS;
      const pieceEnd = Math.min(end, (day + 1) * DAY_SECONDS) - day * DAY_SECONDS;
      if (pieceEnd <= pieceBegin) continue;
      result.push({
        dayOfWeek: ((day % 7) + 7) % 7,
        begin: pieceBegin,
        end: pieceEnd >= DAY_SECONDS ? DAY_SECONDS - 1 : pieceEnd,
      });
    }
  }
  return result;
}
