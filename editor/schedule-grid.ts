// The weekly schedule of a plan: timeSectionList shown and painted as 7 × 48 half-hour slots. The sections are
// checked with the catalog's own spec of timeSectionList (lib/catalog/validate.ts), the zone selector offers the
// catalog's timeZone range.
import type { ParamSpec } from '../lib/catalog/types';
import { checkParams } from '../lib/catalog/validate';
import { isPlainObject } from '../lib/util/plain-object';
import { CONTEXT_TYPES } from '../nodes/shared/typed-input';
import { t } from './i18n';
import type { Row, Session } from './session';
import { allSpecs, findBy } from './specs';
import { problemText } from './validation';

const SLOT_SECONDS = 1800;
const SLOTS = 48;
const DAY_SECONDS = 86400;
/** The API's end of a day: a section ending at midnight ends at the day's last second. */
const LAST_SECOND = DAY_SECONDS - 1;

/** Which half hours of each day (Sunday first) are on. */
export type Slots = boolean[][];

/** One time section of a day: [begin, end) in seconds from midnight. */
export interface Section {
  dayOfWeek: number;
  begin: number;
  end: number;
}

function emptySlots(): Slots {
  return Array.from({ length: 7 }, () => Array.from({ length: SLOTS }, () => false));
}

/** The catalog spec of timeSectionList, as a registered node spec carries it (the plan node's). */
function sectionListSpec(): ParamSpec | undefined {
  for (const spec of allSpecs()) {
    const found = findBy(spec.properties, 'property', 'timeSectionList');
    if (found) return found;
  }
  return undefined;
}

/**
 * Time sections ([begin, end) seconds of a day; end 86399 means midnight) to half-hour slots. A slot is on when
 * a section covers any part of it; `exact` is false when some boundary is not on a half hour. `spec` is the
 * catalog's timeSectionList (by default the one a registered node spec carries).
 */
export function sectionsToSlots(sections: unknown, spec: ParamSpec | undefined = sectionListSpec()): { slots: Slots; exact: boolean; error: string } {
  const slots = emptySlots();
  if (!Array.isArray(sections)) return { slots, exact: false, error: t('schedule.notList', null, 'timeSectionList must be a JSON list') };
  // Checked as a parameter, so the rules across a section's fields (end ≥ begin) apply as well.
  const problem = spec ? checkParams([spec], { [spec.name]: sections })[0] : undefined;
  if (problem && spec) return { slots, exact: false, error: problemText(problem, spec.name) };
  let exact = true;
  for (const section of sections) {
    if (!isPlainObject(section)) continue;
    const { dayOfWeek, begin, end: rawEnd } = section as Partial<Record<keyof Section, unknown>>;
    if (typeof dayOfWeek !== 'number' || !slots[dayOfWeek] || typeof begin !== 'number' || typeof rawEnd !== 'number') continue;
    const end = rawEnd >= LAST_SECOND ? DAY_SECONDS : rawEnd;
    if (begin % SLOT_SECONDS !== 0 || end % SLOT_SECONDS !== 0) exact = false;
    for (let slot = 0; slot < SLOTS; slot++) {
      const start = slot * SLOT_SECONDS;
      if (begin < start + SLOT_SECONDS && end > start) slots[dayOfWeek][slot] = true;
    }
  }
  return { slots, exact, error: '' };
}

/** Half-hour slots to time sections: contiguous slots of a day merge; the last half hour ends at 86399. */
export function slotsToSections(slots: Slots): Section[] {
  const sections: Section[] = [];
  for (let day = 0; day < 7; day++) {
    let slot = 0;
    while (slot < SLOTS) {
      if (!slots[day][slot]) {
        slot++;
        continue;
      }
      let last = slot;
      while (last + 1 < SLOTS && slots[day][last + 1]) last++;
      const end = (last + 1) * SLOT_SECONDS;
      sections.push({ dayOfWeek: day, begin: slot * SLOT_SECONDS, end: end >= DAY_SECONDS ? LAST_SECOND : end });
      slot = last + 1;
    }
  }
  return sections;
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

function dayName(day: number): string {
  return t('schedule.day.' + day, null, ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][day]);
}

function zoneLabel(zone: number): string {
  return 'UTC' + (zone < 0 ? '−' + -zone : '+' + zone);
}

function typed(target: Row | undefined): { type: string; value: string } | null {
  return target ? { type: target.input.typedInput('type'), value: String(target.input.typedInput('value') || '').trim() } : null;
}

/** Builds the grid under the timeSectionList row, kept in step with it, allDay and timeZone. */
export function buildSchedule(session: Session): void {
  const row = session.rows.timeSectionList;
  const allDayRow = session.rows.allDay as Row | undefined;
  const zoneRow = session.rows.timeZone as Row | undefined;
  const box = $('<div class="lv-schedule"></div>').appendTo(row.wrapper);
  const toolbar = $('<div class="lv-schedule-toolbar"></div>').appendTo(box);
  const allDayLabel = $('<label class="lv-schedule-allday"></label>').appendTo(toolbar);
  const allDay = $('<input type="checkbox">').appendTo(allDayLabel);
  $('<span>').text(' ' + t('schedule.allDay', null, 'All day, every day')).appendTo(allDayLabel);
  const clear = $('<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-eraser"></i> </button>').appendTo(toolbar);
  clear.append($('<span>').text(t('schedule.clear', null, 'Clear')));
  const zoneBox = $('<span class="lv-schedule-zone"><i class="fa fa-globe"></i> </span>').appendTo(toolbar);
  const zone = $('<select></select>').attr('title', t('schedule.zoneTitle', null, 'The time zone of the plan (timeZone)')).appendTo(zoneBox);
  $('<option value="">').text(t('schedule.zoneDefault', null, 'UTC+8 (default)')).appendTo(zone);
  // The catalog's timeZone range (every hour it accepts).
  const zoneMin = zoneRow?.base.min ?? 0;
  const zoneMax = zoneRow?.base.max ?? -1;
  for (let offset = zoneMin; offset <= zoneMax; offset++) $('<option>').val(String(offset)).text(zoneLabel(offset)).appendTo(zone);
  const zoneContext = $('<option value="-context-" disabled>').appendTo(zone);

  const grid = $('<div class="lv-schedule-grid"></div>').appendTo(box);
  $('<div class="lv-schedule-corner"></div>').appendTo(grid);
  for (let hour = 0; hour < 24; hour++) {
    $('<div class="lv-schedule-hour"></div>')
      .attr('data-hour', hour)
      .attr('title', clock(hour * 3600) + '–' + clock((hour + 1) * 3600))
      .text(hour % 3 === 0 ? String(hour) : '')
      .appendTo(grid);
  }
  const cells: JQuery[][] = [];
  for (let day = 0; day < 7; day++) {
    $('<div class="lv-schedule-day"></div>').attr('data-day', day).text(dayName(day)).appendTo(grid);
    const dayCells: JQuery[] = [];
    for (let slot = 0; slot < SLOTS; slot++) {
      dayCells.push($('<div class="lv-schedule-cell"></div>').attr('data-day', day).attr('data-slot', slot).toggleClass('lv-hour', slot % 2 === 0).appendTo(grid));
    }
    cells.push(dayCells);
  }
  const info = $('<div class="lv-schedule-info"></div>').appendTo(box);
  const warning = $('<div class="lv-schedule-warning"></div>').hide().appendTo(box);

  interface Drag {
    d0: number;
    s0: number;
    d1: number;
    s1: number;
    value: boolean;
  }
  const state: { slots: Slots; drag: Drag | null; writing: boolean; disabled: boolean; shown: boolean } = {
    slots: emptySlots(),
    drag: null,
    writing: false,
    disabled: false,
    shown: false,
  };

  function dragRect(drag: Drag): { d0: number; d1: number; s0: number; s1: number } {
    return { d0: Math.min(drag.d0, drag.d1), d1: Math.max(drag.d0, drag.d1), s0: Math.min(drag.s0, drag.s1), s1: Math.max(drag.s0, drag.s1) };
  }

  function summary(): void {
    if (state.disabled) {
      info.text(t('schedule.allDayInfo', null, 'Records all day, every day: the sections are ignored.'));
      return;
    }
    const sections = slotsToSections(state.slots);
    if (sections.length === 0) {
      info.text(t('schedule.empty', null, 'No time sections yet: drag across the grid to paint (start on a painted cell to erase).'));
      return;
    }
    const seconds = sections.reduce((sum, section) => sum + (section.end === LAST_SECOND ? DAY_SECONDS : section.end) - section.begin, 0);
    info.text(t('schedule.summary', { sections: sections.length, hours: Math.round((seconds / 3600) * 10) / 10 }, '__sections__ section(s), __hours__ h a week'));
  }

  function render(): void {
    const drag = state.drag;
    const rect = drag ? dragRect(drag) : null;
    for (let d = 0; d < 7; d++) {
      for (let s = 0; s < SLOTS; s++) {
        const inRect = !!rect && d >= rect.d0 && d <= rect.d1 && s >= rect.s0 && s <= rect.s1;
        cells[d][s].toggleClass('lv-on', inRect && drag ? drag.value : state.slots[d][s]).toggleClass('lv-preview', inRect);
      }
    }
    summary();
  }

  function showInvalid(error: string): void {
    warning.text(t('schedule.invalid', { error }, 'The JSON cannot be shown on the grid (__error__); painting replaces it.')).show();
  }

  function readInput(): void {
    if (state.writing) return;
    const value = typed(row);
    if (!value) return;
    state.shown = value.type === 'json' && row.visible;
    box.toggle(state.shown);
    warning.hide();
    if (value.type !== 'json') return;
    if (value.value === '') {
      state.slots = emptySlots();
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.value);
      } catch (error) {
        parsed = undefined;
        showInvalid(error instanceof Error ? error.message : String(error));
      }
      if (parsed !== undefined) {
        const result = sectionsToSlots(parsed, row.param);
        state.slots = result.slots;
        if (result.error) showInvalid(result.error);
        else if (!result.exact) {
          warning.text(t('schedule.rounded', null, 'Some sections do not start or end on a half hour; the grid shows every half hour they touch, and painting rounds them.')).show();
        }
      }
    }
    render();
  }

  function write(): void {
    const sections = slotsToSections(state.slots);
    state.writing = true;
    row.input.typedInput('type', 'json');
    row.input.typedInput('value', sections.length ? JSON.stringify(sections) : '');
    state.writing = false;
    warning.hide();
    const all = typed(allDayRow);
    if (allDayRow && all && sections.length && (all.type === 'num' || all.type === 'str') && all.value === '') {
      allDayRow.input.typedInput('type', 'num');
      allDayRow.input.typedInput('value', '0');
    }
    render();
  }

  function readAllDay(): void {
    const all = typed(allDayRow);
    const context = !all || CONTEXT_TYPES.includes(all.type);
    allDay.prop('disabled', context);
    allDay.prop('checked', !context && !!all && all.value === '1');
    state.disabled = !context && !!all && all.value === '1';
    box.toggleClass('lv-disabled', state.disabled);
    summary();
  }

  function readZone(): void {
    const current = typed(zoneRow);
    if (!zoneRow || !current) {
      zoneBox.hide();
      return;
    }
    const context = CONTEXT_TYPES.includes(current.type) || current.type === 'date';
    zone.prop('disabled', context);
    if (context) {
      zoneContext.text(t('schedule.zoneContext', { type: current.type }, 'from __type__')).show();
      zone.val('-context-');
    } else {
      zoneContext.hide();
      const n = Number(current.value);
      zone.val(/^-?\d+$/.test(current.value) && n >= zoneMin && n <= zoneMax ? String(n) : '');
    }
    // The grid's selector stands in for the timeZone row while the grid is shown.
    zoneRow.wrapper.toggle(zoneRow.visible && (!state.shown || context));
  }

  function cellAt(event: JQuery.TriggeredEvent): { d: number; s: number } | null {
    const source = (event.originalEvent || event) as { clientX?: number; clientY?: number };
    const element = document.elementFromPoint(source.clientX ?? 0, source.clientY ?? 0);
    if (!element || !grid[0].contains(element)) return null;
    const cell = $(element).closest('.lv-schedule-cell');
    return cell.length ? { d: Number(cell.attr('data-day')), s: Number(cell.attr('data-slot')) } : null;
  }

  function endDrag(event?: JQuery.TriggeredEvent): void {
    $(document).off('.lvSchedule');
    const drag = state.drag;
    if (!drag) return;
    const rect = dragRect(drag);
    state.drag = null;
    if (event && event.type === 'pointercancel') {
      render();
      return;
    }
    for (let d = rect.d0; d <= rect.d1; d++) for (let s = rect.s0; s <= rect.s1; s++) state.slots[d][s] = drag.value;
    write();
  }

  grid.on('pointerdown', '.lv-schedule-cell', function (this: HTMLElement, event) {
    const button = (event.originalEvent as PointerEvent | undefined)?.button ?? 0;
    if (state.disabled || button > 0) return;
    event.preventDefault();
    const d = Number($(this).attr('data-day'));
    const s = Number($(this).attr('data-slot'));
    state.drag = { d0: d, s0: s, d1: d, s1: s, value: !state.slots[d][s] };
    render();
    $(document)
      .on('pointermove.lvSchedule', (moveEvent) => {
        const cell = cellAt(moveEvent);
        if (cell && state.drag && (cell.d !== state.drag.d1 || cell.s !== state.drag.s1)) {
          state.drag.d1 = cell.d;
          state.drag.s1 = cell.s;
          render();
        }
      })
      .on('pointerup.lvSchedule pointercancel.lvSchedule', endDrag);
  });
  grid.on('pointermove', '.lv-schedule-cell', function (this: HTMLElement) {
    if (state.drag) return;
    const d = Number($(this).attr('data-day'));
    const s = Number($(this).attr('data-slot'));
    info.text(dayName(d) + ' ' + clock(s * SLOT_SECONDS) + '–' + clock((s + 1) * SLOT_SECONDS));
  });
  grid.on('pointerleave', () => {
    if (!state.drag) summary();
  });
  grid.on('click', '.lv-schedule-day', function (this: HTMLElement) {
    if (state.disabled) return;
    const d = Number($(this).attr('data-day'));
    const full = state.slots[d].every(Boolean);
    for (let s = 0; s < SLOTS; s++) state.slots[d][s] = !full;
    write();
  });
  grid.on('click', '.lv-schedule-hour', function (this: HTMLElement) {
    if (state.disabled) return;
    const h = Number($(this).attr('data-hour'));
    const full = state.slots.every((daySlots) => daySlots[2 * h] && daySlots[2 * h + 1]);
    for (const daySlots of state.slots) {
      daySlots[2 * h] = !full;
      daySlots[2 * h + 1] = !full;
    }
    write();
  });
  clear.on('click', () => {
    state.slots = emptySlots();
    write();
  });
  allDay.on('change', () => {
    if (!allDayRow) return;
    allDayRow.input.typedInput('type', 'num');
    allDayRow.input.typedInput('value', allDay.prop('checked') ? '1' : '0');
  });
  zone.on('change', () => {
    if (!zoneRow || zone.val() === '-context-') return;
    zoneRow.input.typedInput('type', 'num');
    zoneRow.input.typedInput('value', String(zone.val()));
  });

  row.input.on('change.lvSchedule', () => {
    readInput();
    readZone();
  });
  if (allDayRow) allDayRow.input.on('change.lvSchedule', readAllDay);
  else allDayLabel.hide();
  if (zoneRow) zoneRow.input.on('change.lvSchedule', readZone);
  session.cleanups.push(() => {
    $(document).off('.lvSchedule');
    row.input.off('.lvSchedule');
    if (allDayRow) allDayRow.input.off('.lvSchedule');
    if (zoneRow) zoneRow.input.off('.lvSchedule');
  });

  session.schedule = {
    refresh() {
      readInput();
      readAllDay();
      readZone();
    },
  };
}
