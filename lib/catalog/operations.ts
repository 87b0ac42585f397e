/**
 * The operation catalog: every Link Visual `/vision/customer/*` operation of the seed
 * (the seed: Alibaba's English Link Visual API reference) plus a few `extra` session, token, device-list
 * and debug calls, described as data. Choices where the seed is ambiguous are recorded in
 * docs/spec-notes.md.
 */
import type { Operation, PagingSpec, ParamSpec, ParamType } from './types';

// ---------------------------------------------------------------------------------------------
// Builders of parameter specs
// ---------------------------------------------------------------------------------------------

type Extra = Omit<ParamSpec, 'name' | 'type' | 'description'>;

/** One parameter or response field (optional unless `extra` says `required`). */
function param(name: string, type: ParamType, description: string, extra: Extra = {}): ParamSpec {
  return { name, type, description, ...extra };
}

/** A required parameter or an always-present response field. */
function requiredParam(name: string, type: ParamType, description: string, extra: Extra = {}): ParamSpec {
  return param(name, type, description, { ...extra, required: true });
}

/** A list whose items are objects with `fields`. */
function objectList(name: string, description: string, fields: readonly ParamSpec[], extra: Extra = {}): ParamSpec {
  return param(name, 'list', description, { ...extra, items: param('item', 'object', `One entry of ${name}.`, { fields }) });
}

const DEFAULT_PAGE_SIZE = 20;
/** pageSize limit of the plan queries, plan-device queries and record/query. */
const MAX_PAGE_SIZE_LARGE = 500;
/** pageSize limit of picture/querybytime and event/query. */
const MAX_PAGE_SIZE_SMALL = 100;
/** Our own cap for /uc/listBindingByAccount; the platform does not publish one. */
const MAX_PAGE_SIZE_DEVICES = 50;

// ---------------------------------------------------------------------------------------------
// Labels of the enumerations
// ---------------------------------------------------------------------------------------------

const STREAM_LABELS = { '0': 'major stream', '1': 'minor stream' } as const;
const ALL_DAY_LABELS = { '0': 'time sections only', '1': 'all day' } as const;
const DETECTION_LABELS = { '1': 'motion detection', '2': 'sound detection', '3': 'human detection' } as const;
// 3 is in the Chinese reference and the apps (docs/protocol.md §8.7), not in the English reference.
const RECORDING_KIND_LABELS = { '0': 'scheduled recording', '1': 'alert recording', '2': 'manual recording', '3': 'recorded while watching' } as const;
const RECORD_TYPE_LABELS = { ...RECORDING_KIND_LABELS, '99': 'all' } as const;
const PICTURE_TYPE_LABELS = { '0': 'all', '1': 'original image', '2': 'thumbnail' } as const;
const PICTURE_SOURCE_LABELS = { '0': 'all', '1': 'alert capture', '2': 'manual capture', '3': 'other' } as const;
const BIZ_EVENT_LABELS = { '1': 'detection alert event', '2': 'cloud storage expiration reminder' } as const;

// ---------------------------------------------------------------------------------------------
// Parameters shared by many operations
// ---------------------------------------------------------------------------------------------

const iotId = requiredParam('iotId', 'string', 'The ID of the device.');
const fileName = requiredParam('fileName', 'string', 'The name of the recording file, as returned by record/query.');
const recordPlanId = requiredParam('planId', 'string', 'The ID of the recording plan.');
const eventPlanId = requiredParam('planId', 'string', 'The ID of the event-triggered recording plan.');

const timeZone = param('timeZone', 'int', 'The UTC time zone of the plan times, in hours (-11 to 12).', {
  default: 8,
  min: -11,
  max: 12,
});

const streamType = param('streamType', 'int', 'The stream type. 0: major stream. 1: minor stream.', {
  default: 0,
  enum: [0, 1],
  enumLabels: STREAM_LABELS,
});

const pageStart = param('pageStart', 'int', 'The start page number, counted from 0.', { default: 0, min: 0 });

/** The `pageSize` parameter with the operation's maximum. */
function pageSize(max: number): ParamSpec {
  return param('pageSize', 'int', `The number of items on each page (1 to ${max}).`, {
    default: DEFAULT_PAGE_SIZE,
    min: 1,
    max,
  });
}

/** `allDay` as a request parameter (required on set, optional on update). */
function allDay(required: boolean): ParamSpec {
  return param('allDay', 'int', 'Whether the plan records all day. 0: no (use timeSectionList). 1: yes.', {
    ...(required ? { required } : {}),
    enum: [0, 1],
    enumLabels: ALL_DAY_LABELS,
  });
}

const timeSectionFields: readonly ParamSpec[] = [
  requiredParam('dayOfWeek', 'int', 'The day of the week. 0: Sunday … 6: Saturday.', { min: 0, max: 6 }),
  requiredParam('begin', 'int', 'The start of the section, in seconds from midnight (0 to 86399).', { min: 0, max: 86399 }),
  requiredParam('end', 'int', 'The end of the section, in seconds from midnight (0 to 86399).', { min: 0, max: 86399, atLeast: 'begin' }),
];

/** `timeSectionList` as a request parameter: required whenever `allDay` is 0. */
const timeSectionListParam = objectList(
  'timeSectionList',
  'The time segments for recording. Required when allDay is 0.',
  timeSectionFields,
  { requiredWhen: { param: 'allDay', equals: 0 } },
);

/** `eventTypeList` as a request parameter. */
function eventTypeList(required: boolean): ParamSpec {
  return param('eventTypeList', 'list', 'The event types that trigger recording. 1: motion, 2: sound, 3: human detection.', {
    ...(required ? { required } : {}),
    minItems: 1,
    items: param('eventType', 'int', 'An event type.', { enum: [1, 2, 3], enumLabels: DETECTION_LABELS }),
  });
}

const preRecordDurationPlan = param('preRecordDuration', 'int', 'The pre-recording duration in seconds.', { min: 0, atMost: 'recordDuration' });
const recordDurationPlan = param('recordDuration', 'int', 'The total recording duration in seconds, including the pre-recording.', {
  min: 1,
});

/** A list of string IDs with at least one entry. */
function idList(name: string, description: string, maxItems?: number): ParamSpec {
  return requiredParam(name, 'list', description, {
    minItems: 1,
    ...(maxItems === undefined ? {} : { maxItems }),
    items: param('id', 'string', 'One ID.'),
  });
}

// ---------------------------------------------------------------------------------------------
// Response fields shared by many operations
// ---------------------------------------------------------------------------------------------

const timeSectionListOut = objectList('timeSectionList', 'The time segments for recording.', timeSectionFields, {
  required: true,
});

const recordPlanOut: readonly ParamSpec[] = [
  requiredParam('planId', 'string', 'The ID of the recording plan.'),
  requiredParam('name', 'string', 'The name of the recording plan.'),
  requiredParam('allDay', 'int', 'Whether the plan records all day. 0: no. 1: yes.', { enum: [0, 1], enumLabels: ALL_DAY_LABELS }),
  timeSectionListOut,
];

const eventPlanOut: readonly ParamSpec[] = [
  requiredParam('planId', 'string', 'The ID of the event-triggered recording plan.'),
  requiredParam('name', 'string', 'The name of the event-triggered recording plan.'),
  requiredParam('preRecordDuration', 'int', 'The pre-recording duration in seconds.'),
  requiredParam('recordDuration', 'int', 'The total recording duration in seconds, including the pre-recording.'),
  requiredParam('allDay', 'int', 'Whether the plan records all day. 0: no. 1: yes.', { enum: [0, 1], enumLabels: ALL_DAY_LABELS }),
  requiredParam('eventTypeList', 'list', 'The event types that trigger recording.', {
    items: param('eventType', 'int', 'An event type.', { enumLabels: DETECTION_LABELS }),
  }),
  timeSectionListOut,
];

const pageCountsOut: readonly ParamSpec[] = [
  requiredParam('total', 'int', 'The total number of items.'),
  requiredParam('currentCount', 'int', 'The number of items on the current page.'),
];

const planDeviceListOut = objectList(
  'deviceList',
  'The devices the plan is attached to.',
  [
    requiredParam('iotId', 'string', 'The ID of the device.'),
    requiredParam('streamType', 'int', 'The stream type. 0: major stream. 1: minor stream.', { enum: [0, 1], enumLabels: STREAM_LABELS }),
  ],
  { required: true },
);

const vodFileFields: readonly ParamSpec[] = [
  requiredParam('fileName', 'string', 'The name of the file.'),
  requiredParam('vodUrl', 'string', 'The playback URL.'),
  requiredParam('beginTime', 'string', 'The local start time of the file, yyyy-MM-dd HH:mm:ss.'),
  requiredParam('endTime', 'string', 'The local end time of the file, yyyy-MM-dd HH:mm:ss.'),
  requiredParam('beginTimeUTC', 'string', 'The UTC start time of the file, yyyy-MM-ddTHH:mm:ssZ.'),
  requiredParam('endTimeUTC', 'string', 'The UTC end time of the file, yyyy-MM-ddTHH:mm:ssZ.'),
];

const cloudStorageOut: readonly ParamSpec[] = [
  requiredParam('type', 'int', 'The type of the cloud storage plan. 1: continuous. 2: event-based.', {
    enum: [1, 2],
    enumLabels: { '1': 'continuous', '2': 'event-based' },
  }),
  requiredParam('lifecycle', 'int', 'How long data is kept in the cloud, in days (1, 3, 7 or 30).', { enum: [1, 3, 7, 30] }),
  requiredParam('months', 'int', 'The validity period of the service in months, starting from 1.', { min: 1 }),
  requiredParam('consumed', 'int', 'Whether the plan has been claimed. 0: no. 1: yes.', {
    enum: [0, 1],
    enumLabels: { '0': 'not claimed', '1': 'claimed' },
  }),
  param('startTime', 'string', 'The local start time, yyyy-MM-dd HH:mm:ss.'),
  param('endTime', 'string', 'The local end time, yyyy-MM-dd HH:mm:ss.'),
  requiredParam('expired', 'int', 'Whether the plan has expired. 0: no. 1: yes.', {
    enum: [0, 1],
    enumLabels: { '0': 'not expired', '1': 'expired' },
  }),
  param('startTimeUTC', 'string', 'The UTC start time, yyyy-MM-ddTHH:mm:ssZ.'),
  param('endTimeUTC', 'string', 'The UTC end time, yyyy-MM-ddTHH:mm:ssZ.'),
];

const pictureFields: readonly ParamSpec[] = [
  requiredParam('iotId', 'string', 'The ID of the device.'),
  requiredParam('pictureId', 'string', 'The ID of the image.'),
  requiredParam('pictureTime', 'string', 'The local creation time of the image.'),
  requiredParam('pictureUrl', 'string', 'The URL of the image.'),
  requiredParam('thumbUrl', 'string', 'The URL of the image thumbnail.'),
  requiredParam('pictureTimeUTC', 'string', 'The UTC creation time of the image.'),
];

const sessionOut: readonly ParamSpec[] = [
  requiredParam('identityId', 'string', 'The ID of the user identity.'),
  requiredParam('iotToken', 'string', 'The user session token, sent as request.iotToken.'),
  requiredParam('refreshToken', 'string', 'The token that renews the session; it may rotate on every refresh.'),
  requiredParam('iotTokenExpire', 'int', 'The lifetime of iotToken in seconds.'),
  requiredParam('refreshTokenExpire', 'int', 'The lifetime of refreshToken in seconds.'),
];

// ---------------------------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------------------------

/** Page-index paging over `pageStart` (0-based) and `pageSize`. */
function pageStartPaging(listField: string, maxPageSize: number, identity: Pick<PagingSpec, 'idField' | 'timeFields' | 'totalField'>): PagingSpec {
  return {
    listField,
    pageParam: 'pageStart',
    pageBase: 0,
    sizeParam: 'pageSize',
    defaultPageSize: DEFAULT_PAGE_SIZE,
    maxPageSize,
    ...identity,
  };
}

/** Page-index paging of a list whose answer says `nextValid` (its `nextBeginTime` is not followed: see PagingSpec). */
function nextValidPaging(listField: string, maxPageSize: number, identity: Pick<PagingSpec, 'idField' | 'timeFields'>): PagingSpec {
  return { ...pageStartPaging(listField, maxPageSize, identity), moreField: 'nextValid' };
}

const V = '/vision/customer';

// ---------------------------------------------------------------------------------------------
// Recording plans
// ---------------------------------------------------------------------------------------------

const recordPlanOperations: readonly Operation[] = [
  {
    name: 'setRecordPlan',
    path: `${V}/record/plan/set`,
    apiVer: '2.1.0',
    group: 'recordPlan',
    description: 'Creates a recording plan; it takes effect once attached to a device.',
    params: [requiredParam('name', 'string', 'The name of the recording plan.'), allDay(true), timeSectionListParam, timeZone],
    idempotent: false,
    auth: 'user',
    response: [requiredParam('planId', 'string', 'The ID of the new recording plan.')],
  },
  {
    name: 'updateRecordPlan',
    path: `${V}/record/plan/update`,
    apiVer: '2.1.0',
    group: 'recordPlan',
    description: 'Updates a recording plan.',
    params: [recordPlanId, param('name', 'string', 'The name of the recording plan.'), allDay(false), timeSectionListParam, timeZone],
    idempotent: true,
    auth: 'user',
    response: [requiredParam('planId', 'string', 'The ID of the recording plan.')],
  },
  {
    name: 'queryRecordPlans',
    path: `${V}/record/plan/query`,
    apiVer: '2.1.0',
    group: 'recordPlan',
    description: 'Lists the recording plans, page by page.',
    params: [pageStart, pageSize(MAX_PAGE_SIZE_LARGE), timeZone],
    paging: pageStartPaging('recordPlanList', MAX_PAGE_SIZE_LARGE, { idField: 'planId', totalField: 'total' }),
    idempotent: true,
    auth: 'user',
    response: [...pageCountsOut, objectList('recordPlanList', 'The recording plans.', recordPlanOut, { required: true })],
  },
  {
    name: 'getRecordPlan',
    path: `${V}/record/plan/get`,
    apiVer: '2.1.0',
    group: 'recordPlan',
    description: 'Gets the details of a recording plan.',
    params: [recordPlanId, timeZone],
    idempotent: true,
    auth: 'user',
    response: recordPlanOut,
  },
  {
    name: 'deleteRecordPlan',
    path: `${V}/record/plan/delete`,
    apiVer: '2.0.0',
    group: 'recordPlan',
    description: 'Deletes a recording plan.',
    params: [recordPlanId],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'bindRecordPlan',
    path: `${V}/record/plan/bind`,
    apiVer: '2.0.0',
    group: 'recordPlan',
    description: 'Attaches a recording plan to a device (cloud storage must be enabled for the device).',
    params: [recordPlanId, iotId, streamType],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'unbindRecordPlan',
    path: `${V}/record/plan/unbind`,
    apiVer: '2.0.0',
    group: 'recordPlan',
    description: 'Detaches the recording plan from a device; the device stops recording.',
    params: [iotId, streamType],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'getRecordPlanByDevice',
    path: `${V}/record/plan/getbyiotid`,
    apiVer: '2.1.0',
    group: 'recordPlan',
    description: 'Gets the recording plan attached to a device.',
    params: [iotId, streamType, timeZone],
    idempotent: true,
    auth: 'user',
    response: recordPlanOut,
  },
  {
    name: 'queryRecordPlanDevices',
    path: `${V}/record/plan/bind/device/query`,
    apiVer: '2.0.0',
    group: 'recordPlan',
    description: 'Lists the devices a recording plan is attached to, page by page.',
    params: [recordPlanId, pageStart, pageSize(MAX_PAGE_SIZE_LARGE)],
    paging: pageStartPaging('deviceList', MAX_PAGE_SIZE_LARGE, { idField: 'iotId', totalField: 'total' }),
    idempotent: true,
    auth: 'user',
    response: [...pageCountsOut, planDeviceListOut],
  },
];

// ---------------------------------------------------------------------------------------------
// Event-triggered recording plans
// ---------------------------------------------------------------------------------------------

const eventPlanOperations: readonly Operation[] = [
  {
    name: 'setEventPlan',
    path: `${V}/eventrecord/plan/set`,
    apiVer: '2.1.0',
    group: 'eventPlan',
    description: 'Creates an event-triggered recording plan; it takes effect once attached to a device.',
    params: [
      requiredParam('name', 'string', 'The name of the event-triggered recording plan.'),
      { ...preRecordDurationPlan, default: 0 },
      { ...recordDurationPlan, required: true },
      allDay(true),
      eventTypeList(true),
      timeSectionListParam,
      timeZone,
    ],
    idempotent: false,
    auth: 'user',
    response: [requiredParam('planId', 'string', 'The ID of the new event-triggered recording plan.')],
  },
  {
    name: 'updateEventPlan',
    path: `${V}/eventrecord/plan/update`,
    apiVer: '2.1.0',
    group: 'eventPlan',
    description: 'Updates an event-triggered recording plan.',
    params: [
      eventPlanId,
      param('name', 'string', 'The name of the event-triggered recording plan.'),
      preRecordDurationPlan,
      recordDurationPlan,
      allDay(false),
      eventTypeList(false),
      timeSectionListParam,
      timeZone,
    ],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'queryEventPlans',
    path: `${V}/eventrecord/plan/query`,
    apiVer: '2.1.0',
    group: 'eventPlan',
    description: 'Lists the event-triggered recording plans, page by page.',
    params: [pageStart, pageSize(MAX_PAGE_SIZE_LARGE), timeZone],
    paging: pageStartPaging('eventRecordPlanList', MAX_PAGE_SIZE_LARGE, { idField: 'planId', totalField: 'total' }),
    idempotent: true,
    auth: 'user',
    response: [
      ...pageCountsOut,
      objectList('eventRecordPlanList', 'The event-triggered recording plans.', eventPlanOut, { required: true }),
    ],
  },
  {
    name: 'deleteEventPlan',
    path: `${V}/eventrecord/plan/delete`,
    apiVer: '2.0.0',
    group: 'eventPlan',
    description: 'Deletes an event-triggered recording plan.',
    params: [eventPlanId],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'getEventPlan',
    path: `${V}/eventrecord/plan/getbyid`,
    apiVer: '2.1.0',
    group: 'eventPlan',
    description: 'Gets the details of an event-triggered recording plan.',
    params: [eventPlanId, timeZone],
    idempotent: true,
    auth: 'user',
    response: eventPlanOut,
  },
  {
    name: 'bindEventPlan',
    path: `${V}/eventrecord/plan/device/bind`,
    apiVer: '2.0.0',
    group: 'eventPlan',
    description: 'Attaches an event-triggered recording plan to a device (cloud storage must be enabled).',
    params: [eventPlanId, iotId, streamType],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'unbindEventPlan',
    path: `${V}/eventrecord/plan/unbind`,
    apiVer: '2.0.0',
    group: 'eventPlan',
    description: 'Detaches the event-triggered recording plan from a device.',
    params: [iotId, streamType],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'getEventPlanByDevice',
    path: `${V}/eventrecord/plan/getbyiotid`,
    apiVer: '2.1.0',
    group: 'eventPlan',
    description: 'Gets the event-triggered recording plan attached to a device.',
    params: [iotId, streamType, timeZone],
    idempotent: true,
    auth: 'user',
    response: eventPlanOut,
  },
  {
    name: 'queryEventPlanDevices',
    path: `${V}/eventrecord/bind/device/query`,
    apiVer: '2.0.0',
    group: 'eventPlan',
    description: 'Lists the devices an event-triggered recording plan is attached to, page by page.',
    params: [eventPlanId, pageStart, pageSize(MAX_PAGE_SIZE_LARGE)],
    paging: pageStartPaging('deviceList', MAX_PAGE_SIZE_LARGE, { idField: 'iotId', totalField: 'total' }),
    idempotent: true,
    auth: 'user',
    response: [...pageCountsOut, planDeviceListOut],
  },
];

// ---------------------------------------------------------------------------------------------
// Cloud recordings
// ---------------------------------------------------------------------------------------------

const recordingOperations: readonly Operation[] = [
  {
    name: 'queryRecordings',
    path: `${V}/record/query`,
    apiVer: '2.1.3',
    group: 'recording',
    description: 'Lists the cloud recording files of a device in a time range (times in seconds).',
    params: [
      iotId,
      streamType,
      requiredParam('beginTime', 'int', 'The start of the range, in seconds since 1970-01-01 UTC.', { min: 0, unit: 's' }),
      requiredParam('endTime', 'int', 'The end of the range, in seconds since 1970-01-01 UTC.', { min: 0, unit: 's', atLeast: 'beginTime' }),
      param('recordType', 'int', 'The recording type. 0: scheduled. 1: alert. 2: manual. 3: recorded while watching. 99: all.', {
        default: 99,
        enum: [0, 1, 2, 3, 99],
        enumLabels: RECORD_TYPE_LABELS,
      }),
      pageStart,
      pageSize(MAX_PAGE_SIZE_LARGE),
      param('needSnapshot', 'boolean', 'Whether to generate a thumbnail for each recording.', { default: false }),
    ],
    paging: nextValidPaging('recordFileList', MAX_PAGE_SIZE_LARGE, { idField: 'fileName', timeFields: ['beginTimeUTC', 'beginTime'] }),
    idempotent: true,
    auth: 'user',
    response: [
      objectList(
        'recordFileList',
        'The cloud recording files.',
        [
          requiredParam('beginTime', 'string', 'The local start time of the file, yyyy-MM-dd HH:mm:ss.'),
          requiredParam('endTime', 'string', 'The local end time of the file, yyyy-MM-dd HH:mm:ss.'),
          requiredParam('beginTimeUTC', 'string', 'The UTC start time of the file, yyyy-MM-ddTHH:mm:ssZ.'),
          requiredParam('endTimeUTC', 'string', 'The UTC end time of the file, yyyy-MM-ddTHH:mm:ssZ.'),
          requiredParam('recordType', 'int', 'The recording type. 0: scheduled. 1: alert. 2: manual. 3: recorded while watching.', {
            enum: [0, 1, 2, 3],
            enumLabels: RECORDING_KIND_LABELS,
          }),
          requiredParam('streamType', 'int', 'The stream type. 0: major stream. 1: minor stream.', {
            enum: [0, 1],
            enumLabels: STREAM_LABELS,
          }),
          requiredParam('fileName', 'string', 'The name of the file.'),
          requiredParam('fileSize', 'int', 'The size of the file.'),
          param('snapshotUrl', 'string', 'The URL of the recording thumbnail.'),
          param('intelligentTypeList', 'string', 'The list of intelligent events.'),
        ],
        { required: true },
      ),
      requiredParam('nextValid', 'boolean', 'Whether there is a next page.'),
      requiredParam('nextBeginTime', 'int', 'The beginTime (seconds) of the next page.'),
    ],
  },
  {
    name: 'getVodUrlByFileName',
    path: `${V}/vod/getbyfilename`,
    apiVer: '2.0.0',
    group: 'recording',
    description: 'Gets a single-use playback URL for a cloud recording by file name.',
    params: [iotId, fileName],
    idempotent: true,
    auth: 'user',
    response: [requiredParam('vodUrl', 'string', 'The VOD URL; it carries its own authentication and works only once.')],
  },
  {
    name: 'queryMonthRecordings',
    path: `${V}/monthrecord/query`,
    apiVer: '2.0.0',
    group: 'recording',
    description: 'Tells, for each day of a month, whether the device has cloud recordings.',
    params: [
      iotId,
      requiredParam('month', 'string', 'The month in yyyyMM format, e.g. 201806.', {
        pattern: '^\\d{4}(0[1-9]|1[0-2])$',
        patternHint: 'yyyyMM',
      }),
      // The apps send it (docs/protocol.md §8.8); no default, so an absent one leaves the device's own zone.
      param('timeZone', 'int', `The UTC time zone the days are counted in, in hours (${timeZone.min} to ${timeZone.max}); default: the device's own.`, {
        min: timeZone.min,
        max: timeZone.max,
      }),
    ],
    idempotent: true,
    auth: 'user',
    response: [
      requiredParam('recordFlags', 'string', "One character per day of the month: '1' if the day has recordings, else '0'."),
    ],
  },
  {
    name: 'queryEvents',
    path: `${V}/event/query`,
    apiVer: '2.1.2',
    group: 'event',
    description: 'Lists the events of a device in a time range (times in milliseconds).',
    params: [
      iotId,
      requiredParam('beginTime', 'long', 'The start of the range, in milliseconds since 1970-01-01 UTC.', { min: 0, unit: 'ms' }),
      requiredParam('endTime', 'long', 'The end of the range, in milliseconds since 1970-01-01 UTC.', { min: 0, unit: 'ms', atLeast: 'beginTime' }),
      param('eventType', 'int', 'The event type. 0: all. 1: motion. 2: sound. 3: human detection.', {
        enum: [0, 1, 2, 3],
        enumLabels: { '0': 'all', ...DETECTION_LABELS },
      }),
      param('pictureType', 'int', 'The image URL type. 0: all. 1: original image. 2: thumbnail.', {
        default: 0,
        enum: [0, 1, 2],
        enumLabels: PICTURE_TYPE_LABELS,
      }),
      pageStart,
      pageSize(MAX_PAGE_SIZE_SMALL),
    ],
    paging: nextValidPaging('eventList', MAX_PAGE_SIZE_SMALL, { idField: 'eventId', timeFields: ['eventTimeUTC', 'eventTime'] }),
    idempotent: true,
    auth: 'user',
    response: [
      objectList(
        'eventList',
        'The events.',
        [
          requiredParam('eventId', 'string', 'The ID of the event; with an event-triggered plan it leads to the recording.'),
          requiredParam('eventTime', 'string', 'The local time of the event, yyyy-MM-dd HH:mm:ss.'),
          requiredParam('eventType', 'int', 'The event type. 1: motion. 2: sound. 3: human detection.', { enumLabels: DETECTION_LABELS }),
          requiredParam('eventDesc', 'string', 'The description of the event.'),
          requiredParam('eventPicId', 'string', 'The ID of the image associated with the event.'),
          requiredParam('eventData', 'string', 'Additional information about the event.'),
          requiredParam('eventTimeUTC', 'string', 'The UTC time of the event, yyyy-MM-ddTHH:mm:ssZ.'),
          param('eventPicUrl', 'string', 'The URL of the alert image.'),
          param('eventPicThumbUrl', 'string', 'The URL of the alert image thumbnail.'),
          param('intelligentTypeList', 'string', 'The list of intelligent events (3: human detection).'),
        ],
        { required: true },
      ),
      requiredParam('nextValid', 'boolean', 'Whether there is a next page.'),
      requiredParam('nextBeginTime', 'long', 'The beginTime (milliseconds) of the next page.'),
    ],
  },
  {
    name: 'getVodUrlByEvent',
    path: `${V}/vod/getbyeventid`,
    apiVer: '2.1.0',
    group: 'recording',
    description: 'Gets the playback URLs of the cloud recording of an event (needs an event-triggered plan).',
    params: [iotId, requiredParam('eventId', 'string', 'The ID of the event.')],
    idempotent: true,
    auth: 'user',
    response: [objectList('vodList', 'The playlist.', vodFileFields, { required: true })],
  },
  {
    name: 'deleteRecordings',
    path: `${V}/record/batchdelete`,
    apiVer: '2.0.0',
    group: 'recording',
    description: 'Deletes up to 100 cloud recording files of a device.',
    params: [iotId, idList('fileNameList', 'The names of the recording files to delete (1 to 100).', 100)],
    idempotent: true,
    auth: 'user',
    response: [requiredParam('deletedCount', 'int', 'The number of files deleted.')],
  },
  {
    name: 'getDownloadUrl',
    path: `${V}/vod/cloudfile/get`,
    apiVer: '2.1.0',
    group: 'recording',
    description: 'Requests an MP4 download URL for a cloud recording; poll until transcoding finishes.',
    params: [iotId, fileName],
    idempotent: true,
    auth: 'user',
    response: [
      requiredParam('url', 'string', 'The download URL; empty while the recording is being transcoded.'),
      // docs/protocol.md §8.4: 2 is "failed" in the Chinese reference, -1 in the English one; both may come as text.
      requiredParam('status', 'int', 'The transcoding status, a number or numeric text. 0: success. 1: transcoding. Any other (2, or -1 in the English reference): failed.', {
        enumLabels: { '0': 'success', '1': 'transcoding', '2': 'failed', '-1': 'failed' },
      }),
      requiredParam('progress', 'int', 'The transcoding progress in percent (0 to 100), a number or numeric text.', { min: 0, max: 100 }),
    ],
  },
  {
    name: 'triggerRecording',
    path: `${V}/record/trigger`,
    apiVer: '2.1.0',
    group: 'recording',
    description: 'Makes a device record a short clip to the cloud (needs an event-triggered plan and cloud storage).',
    params: [
      iotId,
      requiredParam('recordDuration', 'int', 'The recording length in seconds (1 to 1800).', { min: 1, max: 1800 }),
      streamType,
      param('preRecordDuration', 'int', 'The pre-recording duration in seconds.', { min: 0, atMost: 'recordDuration' }),
    ],
    idempotent: false,
    auth: 'user',
    response: [requiredParam('recordId', 'string', 'The ID of the cloud recording.')],
  },
  {
    name: 'setRecordDuration',
    path: `${V}/record/durationconfig/set`,
    apiVer: '1.0.0',
    group: 'recording',
    description: 'Sets the length of continuous recording files of a device.',
    params: [
      iotId,
      param('recordDuration', 'int', 'The length of one continuous recording file in seconds (600 to 3600).', {
        default: 1800,
        min: 600,
        max: 3600,
      }),
    ],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'getRecordDuration',
    path: `${V}/record/durationconfig/get`,
    apiVer: '1.0.0',
    group: 'recording',
    description: 'Gets the length of continuous recording files of a device.',
    params: [iotId],
    idempotent: true,
    auth: 'user',
    response: [requiredParam('recordDuration', 'int', 'The length of one continuous recording file in seconds.')],
  },
];

// ---------------------------------------------------------------------------------------------
// Complimentary cloud storage
// ---------------------------------------------------------------------------------------------

const cloudStorageOperations: readonly Operation[] = [
  {
    name: 'getPresentedStorage',
    path: `${V}/cloudstorage/presented/get`,
    apiVer: '2.1.2',
    group: 'cloudStorage',
    description: 'Gets the complimentary cloud storage plan of a device.',
    params: [iotId],
    idempotent: true,
    auth: 'user',
    response: cloudStorageOut,
  },
  {
    name: 'consumePresentedStorage',
    path: `${V}/cloudstorage/presented/consume`,
    apiVer: '2.1.3',
    group: 'cloudStorage',
    description: 'Claims the complimentary cloud storage plan of a device.',
    params: [iotId, param('enableDefaultPlan', 'boolean', 'Whether to set a 7x24 default recording plan.', { default: false })],
    idempotent: false,
    auth: 'user',
    response: cloudStorageOut,
  },
];

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

const pictureOperations: readonly Operation[] = [
  {
    name: 'triggerPicture',
    path: `${V}/picture/trigger`,
    apiVer: '2.0.0',
    group: 'picture',
    description: 'Makes a device capture an image and upload it to the cloud.',
    params: [iotId],
    idempotent: false,
    auth: 'user',
    response: [requiredParam('pictureId', 'string', 'The ID of the image.')],
  },
  {
    name: 'queryPicturesByTime',
    path: `${V}/picture/querybytime`,
    apiVer: '2.1.1',
    group: 'picture',
    description: 'Lists the images of a device in a time range (times in milliseconds).',
    params: [
      iotId,
      requiredParam('startTime', 'long', 'The start of the range, in milliseconds since 1970-01-01 UTC.', { min: 0, unit: 'ms' }),
      requiredParam('endTime', 'long', 'The end of the range, in milliseconds since 1970-01-01 UTC.', { min: 0, unit: 'ms', atLeast: 'startTime' }),
      pageStart,
      pageSize(MAX_PAGE_SIZE_SMALL),
      param('type', 'int', 'The image type. 0: all. 1: original image. 2: thumbnail.', {
        default: 0,
        enum: [0, 1, 2],
        enumLabels: PICTURE_TYPE_LABELS,
      }),
      param('source', 'int', 'The image source. 0: all. 1: alert capture. 2: manual capture. 3: other.', {
        default: 0,
        enum: [0, 1, 2, 3],
        enumLabels: PICTURE_SOURCE_LABELS,
      }),
    ],
    paging: pageStartPaging('pictureList', MAX_PAGE_SIZE_SMALL, { idField: 'pictureId', timeFields: ['pictureTimeUTC', 'pictureTime'] }),
    idempotent: true,
    auth: 'user',
    response: [
      objectList(
        'pictureList',
        'The images.',
        [
          ...pictureFields,
          requiredParam('eventType', 'int', 'The event type.'),
          requiredParam('source', 'int', 'The image source. 1: alert capture. 2: manual capture. 3: other.', {
            enumLabels: PICTURE_SOURCE_LABELS,
          }),
          param('intelligentTypeList', 'int', 'The list of intelligent events.'),
        ],
        { required: true },
      ),
    ],
  },
  {
    name: 'queryPicturesByIds',
    path: `${V}/picture/querybyids`,
    apiVer: '2.1.0',
    group: 'picture',
    description: 'Gets the URLs of images by their IDs.',
    params: [
      iotId,
      idList('pictureIdList', 'The IDs of the images.'),
      param('type', 'int', 'The image type. 0: all. 1: original image. 2: thumbnail.', {
        default: 0,
        enum: [0, 1, 2],
        enumLabels: PICTURE_TYPE_LABELS,
      }),
    ],
    idempotent: true,
    auth: 'user',
    response: [objectList('pictureList', 'The images.', pictureFields, { required: true })],
  },
  {
    name: 'deletePictures',
    path: `${V}/picture/batchdelete`,
    apiVer: '2.0.0',
    group: 'picture',
    description: 'Deletes images of a device by their IDs.',
    params: [iotId, idList('pictureIdList', 'The IDs of the images to delete.')],
    idempotent: true,
    auth: 'user',
    response: [requiredParam('deleteCount', 'int', 'The number of images deleted.')],
  },
];

// ---------------------------------------------------------------------------------------------
// Events: business-event push settings, images and details by event ID
// ---------------------------------------------------------------------------------------------

const bizEventType = requiredParam('eventType', 'int', 'The business event type. 1: detection alert. 2: cloud storage expiration reminder.', {
  enum: [1, 2],
  enumLabels: BIZ_EVENT_LABELS,
});

const eventOperations: readonly Operation[] = [
  {
    name: 'setEventConfig',
    path: `${V}/bizevent/config/set`,
    apiVer: '1.0.0',
    group: 'event',
    description: 'Sets the minimum interval between pushed messages of a business event type.',
    params: [
      iotId,
      bizEventType,
      param('eventInterval', 'int', 'Seconds after a pushed message during which no further message is pushed.', {
        default: 120,
        min: 0,
      }),
    ],
    idempotent: true,
    auth: 'user',
  },
  {
    name: 'getEventConfig',
    path: `${V}/bizevent/config/get`,
    apiVer: '1.0.0',
    group: 'event',
    description: 'Gets the push interval of a business event type.',
    params: [iotId, bizEventType],
    idempotent: true,
    auth: 'user',
    response: [
      requiredParam('eventType', 'int', 'The business event type.', { enumLabels: BIZ_EVENT_LABELS }),
      requiredParam('eventInterval', 'int', 'The push interval in seconds.'),
    ],
  },
  {
    name: 'getPicturesByEvent',
    path: `${V}/pic/getbyevent`,
    apiVer: '2.1.0',
    group: 'event',
    description: 'Gets the alert images of events by event ID.',
    params: [iotId, idList('eventIds', 'The IDs of the events.')],
    idempotent: true,
    auth: 'user',
    response: [
      objectList(
        'pictureList',
        'The alert images.',
        [
          param('iotId', 'string', 'The ID of the device.'),
          param('eventId', 'string', 'The ID of the event.'),
          param('pictureTime', 'string', 'The local creation time of the image.'),
          param('alarmPicId', 'string', 'The ID of the image.'),
          param('picUrl', 'string', 'The URL of the image.'),
          param('thumbUrl', 'string', 'The URL of the thumbnail.'),
          param('pictureTimeUTC', 'string', 'The UTC creation time of the image.'),
        ],
        { required: true },
      ),
    ],
  },
  {
    name: 'queryEventsByIds',
    path: `${V}/event/query/byeventids`,
    apiVer: '1.0.0',
    group: 'event',
    description: 'Gets the details of events by event ID.',
    params: [
      iotId,
      idList('eventIds', 'The IDs of the events.'),
      param('needAlarmPicture', 'boolean', 'Whether to include the alert image of each event.', { default: false }),
      param('needRecordSnapshot', 'boolean', 'Whether to include the recording thumbnail of each event.', { default: false }),
      // Version 1.0.1 in the Chinese reference (docs/protocol.md §8.9): no default, so it is sent only when asked for.
      param(
        'needProlongOriginRecord',
        'boolean',
        'Whether each event comes with its prolonged recording; false or absent: the recording of up to 30 s (API version 1.0.1).',
      ),
    ],
    idempotent: true,
    auth: 'user',
    response: [
      objectList(
        'eventList',
        'The events.',
        [
          param('eventId', 'string', 'The ID of the event.'),
          param('eventType', 'int', 'The event type.', { enumLabels: DETECTION_LABELS }),
          param('eventTime', 'string', 'The local time of the event.'),
          param('eventTimeUTC', 'string', 'The UTC time of the event.'),
          param('eventPicId', 'string', 'The ID of the image of the event.'),
          param('eventPicUrl', 'string', 'The URL of the image of the event.'),
          param('eventPicThumbUrl', 'string', 'The URL of the thumbnail of the image of the event.'),
          param('eventFileName', 'string', 'The name of the recording of the event.'),
          param('recordSnapshotUrl', 'string', 'The URL of the recording thumbnail of the event.'),
        ],
        { required: true },
      ),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Extra operations (not in the seed; shapes from docs/protocol.md §5)
// ---------------------------------------------------------------------------------------------

const extraOperations: readonly Operation[] = [
  {
    name: 'createSessionByAuthCode',
    path: '/account/createSessionByAuthCode',
    apiVer: '1.0.4',
    group: 'account',
    description: 'Exchanges an OAuth authCode for a user session (iotToken and refreshToken).',
    params: [
      requiredParam('request', 'object', 'The session request (the API nests its parameters in params.request).', {
        fields: [
          requiredParam('authCode', 'string', 'The authorization code from the account system.'),
          param('accountType', 'string', 'The kind of authCode. OA_SESSION (default) or OA_TOKEN.', {
            default: 'OA_SESSION',
            enum: ['OA_SESSION', 'OA_TOKEN'],
          }),
          requiredParam('appKey', 'string', 'The app AppKey the session is created for.'),
        ],
      }),
    ],
    idempotent: false,
    auth: 'none',
    extra: true,
    response: sessionOut,
  },
  {
    name: 'checkOrRefreshSession',
    path: '/account/checkOrRefreshSession',
    apiVer: '1.0.4',
    group: 'account',
    description: 'Renews a user session; the refreshToken may rotate, so persist the new one.',
    params: [
      requiredParam('request', 'object', 'The refresh request (the API nests its parameters in params.request).', {
        fields: [
          requiredParam('identityId', 'string', 'The ID of the user identity.'),
          requiredParam('refreshToken', 'string', 'The current refresh token.'),
        ],
      }),
    ],
    idempotent: false,
    auth: 'none',
    extra: true,
    response: sessionOut,
  },
  {
    name: 'getCloudToken',
    path: '/cloud/token',
    apiVer: '1.0.1',
    group: 'account',
    description: 'Issues a project cloudToken; issuing a new one invalidates the previous token.',
    params: [
      requiredParam('grantType', 'string', 'The grant type; always "project".', { enum: ['project'] }),
      requiredParam('res', 'string', 'The project ID.'),
    ],
    idempotent: false,
    auth: 'none',
    extra: true,
    response: [
      requiredParam('cloudToken', 'string', 'The project token, sent as request.cloudToken.'),
      requiredParam('expireIn', 'long', 'The lifetime of the token in milliseconds.'),
    ],
  },
  {
    name: 'refreshCloudToken',
    path: '/cloud/token/refresh',
    apiVer: '1.0.1',
    group: 'account',
    description: 'Renews a project cloudToken before it expires.',
    params: [requiredParam('cloudToken', 'string', 'The current cloudToken.')],
    idempotent: false,
    auth: 'none',
    extra: true,
    response: [
      requiredParam('cloudToken', 'string', 'The renewed project token.'),
      requiredParam('expiresIn', 'long', 'The lifetime of the token (seconds in the only sample; see spec-notes).'),
    ],
  },
  {
    name: 'listDevices',
    path: '/uc/listBindingByAccount',
    apiVer: '1.0.2',
    group: 'device',
    description: "Lists the devices bound to the signed-in user's account, page by page.",
    params: [
      param('pageNo', 'int', 'The page number, counted from 1.', { default: 1, min: 1 }),
      param('pageSize', 'int', `The number of devices on each page (1 to ${MAX_PAGE_SIZE_DEVICES}; our cap).`, {
        default: DEFAULT_PAGE_SIZE,
        min: 1,
        max: MAX_PAGE_SIZE_DEVICES,
      }),
    ],
    paging: {
      listField: 'data',
      pageParam: 'pageNo',
      pageBase: 1,
      sizeParam: 'pageSize',
      defaultPageSize: DEFAULT_PAGE_SIZE,
      maxPageSize: MAX_PAGE_SIZE_DEVICES,
      totalField: 'total',
      idField: 'iotId',
    },
    idempotent: true,
    auth: 'user',
    extra: true,
    response: [
      requiredParam('total', 'int', 'The total number of bound devices.'),
      param('pageNo', 'int', 'The page number of this answer.'),
      param('pageSize', 'int', 'The page size of this answer.'),
      objectList(
        'data',
        'The bound devices.',
        [
          requiredParam('iotId', 'string', 'The ID of the device.'),
          requiredParam('productKey', 'string', 'The product key of the device.'),
          requiredParam('deviceName', 'string', 'The device name.'),
          param('nickName', 'string', 'The nickname the user gave the device.'),
          requiredParam('status', 'int', 'The device status. 1: online. 3: offline.', {
            enumLabels: { '1': 'online', '3': 'offline' },
          }),
        ],
        { required: true },
      ),
    ],
  },
  {
    name: 'ping',
    path: '/kit/debug/ping',
    apiVer: '1.0.0',
    group: 'debug',
    description: 'Checks connectivity and the signature; the gateway echoes the input.',
    params: [param('input', 'string', 'Any text to send.')],
    idempotent: true,
    auth: 'none',
    extra: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------------------

/** Every operation: the 38 seed operations followed by the `extra` ones. */
export const operations: readonly Operation[] = [
  ...recordPlanOperations,
  ...eventPlanOperations,
  ...recordingOperations,
  ...cloudStorageOperations,
  ...pictureOperations,
  ...eventOperations,
  ...extraOperations,
];

/** Operations by camelCase name. */
export const operationsByName: ReadonlyMap<string, Operation> = new Map(operations.map((op) => [op.name, op]));

/** Operations by path (with the leading slash). */
export const operationsByPath: ReadonlyMap<string, Operation> = new Map(operations.map((op) => [op.path, op]));

/** Finds an operation by camelCase name, or by path with or without its leading slash. */
export function findOperation(nameOrPath: string): Operation | undefined {
  const key = nameOrPath.trim();
  if (key.length === 0) return undefined;
  return operationsByName.get(key) ?? operationsByPath.get(key.startsWith('/') ? key : `/${key}`);
}
