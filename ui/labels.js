// What the timeline says, in the viewer's language (English, or Chinese for zh-* browsers).
const TEXT = {
    en: {
        allCameras: 'All cameras',
        allTypes: 'All events',
        empty: 'No events yet. They appear here as the cameras raise them.',
        noMatch: 'No events match the filters.',
        close: 'Close',
        download: 'Download clip',
        loadingClip: 'Loading the clip…',
        noClips: 'Clips need an account set on this widget.',
        retry: 'Try again',
        noPicture: 'No picture',
        types: { motion: 'Motion', sound: 'Sound', human: 'Person', personVehicle: 'Person or vehicle' },
        type: (n) => `Event ${n}`,
        eventsTab: 'Events',
        recordingsTab: 'Recordings',
        previousMonth: 'Previous month',
        nextMonth: 'Next month',
        noRecordings: 'No recordings on this day.',
        pickDay: 'Days with recordings are marked: pick one.',
        loading: 'Loading…'
    },
    zh: {
        allCameras: '全部摄像头',
        allTypes: '全部事件',
        empty: '暂无事件。摄像头产生事件后会显示在这里。',
        noMatch: '没有符合筛选条件的事件。',
        close: '关闭',
        download: '下载录像',
        loadingClip: '正在加载录像…',
        noClips: '需要在此控件上设置账号才能播放录像。',
        retry: '重试',
        noPicture: '无图片',
        types: { motion: '移动侦测', sound: '声音侦测', human: '人形检测', personVehicle: '人车检测' },
        type: (n) => `事件 ${n}`,
        eventsTab: '事件',
        recordingsTab: '录像',
        previousMonth: '上个月',
        nextMonth: '下个月',
        noRecordings: '这一天没有录像。',
        pickDay: '有录像的日期已标出：请选择一天。',
        loading: '正在加载…'
    }
}

/** The texts for the browser's language. */
export function texts () {
    const lang = (typeof navigator !== 'undefined' && navigator.language) || 'en'
    return lang.toLowerCase().startsWith('zh') ? TEXT.zh : TEXT.en
}

/** A card's event type as people say it. */
export function typeLabel (t, card) {
    return t.types[card.eventTypeName] || t.type(card.eventType)
}

const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })

/** An event time (ms since the epoch) in the viewer's time zone. */
export function timeLabel (ms) {
    return formatter.format(new Date(ms))
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })

/** A time of day (ms since the epoch) in the viewer's time zone. */
export function clockLabel (ms) {
    return clock.format(new Date(ms))
}

/** The month's name and year, e.g. "December 2026", in the viewer's language. */
export function monthLabel (year, month) {
    return new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long' }).format(new Date(year, month, 1))
}

/** Short weekday names from Monday, in the viewer's language. */
export function weekdayLabels () {
    const format = new Intl.DateTimeFormat(undefined, { weekday: 'short' })
    return Array.from({ length: 7 }, (_, i) => format.format(new Date(2024, 0, 1 + i))) // 1 Jan 2024 was a Monday
}
