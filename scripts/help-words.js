// The words of the generated help in each language: header words and fixed phrases (scripts/generate-help.js),
// plus the editor's own labels of fields and enum values, so the help names things as the editor does.
'use strict';
const { slug } = require('./help-html');

// Header words and fixed phrases, per help language. `__name__` is replaced by a value (already HTML).
const WORDS = {
  'en-US': {
    errorKey: 'en',
    action: 'Action',
    calls: 'Calls',
    parameters: 'Parameters',
    parameter: 'Parameter',
    values: 'Type, values and limits',
    usedBy: 'Used by',
    operation: 'Operation',
    answer: 'Fields of the answer (<code>data</code>)',
    code: 'Code',
    meaning: 'Meaning',
    required: 'required',
    requiredWhen: 'required when __param__ is __value__',
    oneOf: 'or __others__: one of them is required',
    allPages: 'A list: every page, unless “Pages” is one',
    retried: 'Safe to repeat: retried on a retryable failure',
    notRepeated: 'Never repeated automatically',
    retriedSome: 'Retried on a retryable failure: __names__ only',
    version: 'version __version__',
    listOf: 'list of __type__',
    listOfObjects: 'list of objects',
    object: 'object',
    range: '__min__ to __max__',
    atLeast: '≥ __min__',
    atMost: '≤ __max__',
    maxLength: 'at most __max__ characters',
    format: 'format __hint__',
    pattern: 'matches __pattern__',
    itemsRange: '__min__ to __max__ items',
    minItems: 'at least __min__ items',
    oneItem: 'at least one item',
    maxItems: 'at most __max__ items',
    each: 'each: __limits__',
    defaultValue: 'default __value__',
    epochS: 'seconds since 1970 (UTC)',
    epochMs: 'milliseconds since 1970 (UTC)',
    nothing: 'nothing (<code>null</code>)',
    none: '—',
    listSep: ', ',
    fieldSep: ', ',
    colon: ': ',
    partSep: '; ',
    sentenceEnd: '.',
    sentenceSep: '. ',
    open: ' (',
    close: ')',
  },
  'zh-CN': {
    errorKey: 'zh',
    action: '动作',
    calls: '调用',
    parameters: '参数',
    parameter: '参数',
    values: '类型、取值与范围',
    usedBy: '使用者',
    operation: '操作',
    answer: '应答字段（<code>data</code>）',
    code: '错误码',
    meaning: '含义',
    required: '必填',
    requiredWhen: '__param__ 为 __value__ 时必填',
    oneOf: '或 __others__：二者必填其一',
    allPages: '列表：获取全部页，除非“分页”设为仅一页',
    retried: '可安全重复：遇到可重试的失败时自动重试',
    notRepeated: '不会自动重复',
    retriedSome: '遇到可重试的失败时自动重试：仅 __names__',
    version: '版本 __version__',
    listOf: '__type__ 列表',
    listOfObjects: '对象列表',
    object: '对象',
    range: '__min__ 到 __max__',
    atLeast: '≥ __min__',
    atMost: '≤ __max__',
    maxLength: '最多 __max__ 个字符',
    format: '格式 __hint__',
    pattern: '须符合 __pattern__',
    itemsRange: '__min__ 到 __max__ 项',
    minItems: '至少 __min__ 项',
    oneItem: '至少 1 项',
    maxItems: '最多 __max__ 项',
    each: '每项：__limits__',
    defaultValue: '默认 __value__',
    epochS: '自 1970 年（UTC）起的秒数',
    epochMs: '自 1970 年（UTC）起的毫秒数',
    nothing: '无（<code>null</code>）',
    none: '—',
    listSep: '、',
    fieldSep: '，',
    colon: '：',
    partSep: '；',
    sentenceEnd: '。',
    sentenceSep: '。',
    open: '（',
    close: '）',
  },
};

/** One help language: its words, and the editor's labels from the config node's message catalog. */
function language(lang, messages) {
  const words = WORDS[lang];
  if (!words) throw new Error(`generate-help: no dictionary for the help language ${lang} (have ${Object.keys(WORDS).join(', ')})`);
  const editor = (messages && messages.editor) || {};
  return {
    lang,
    words,
    /** The editor's label of an enum value (the same key the editor uses), else the catalog's English. */
    enumLabel(english) {
      const labels = editor.enumLabel || {};
      return labels[slug(english)] || english;
    },
    /** The editor's label of a parameter field, if it has one. */
    fieldLabel(property) {
      return (editor.param || {})[property];
    },
  };
}

module.exports = { WORDS, language };
