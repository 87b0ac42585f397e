// The HTML pieces of the generated help (scripts/generate-help.js): escaped text, code spans, phrases
// with their slots filled, and a table at the indent of the marker it replaces.
'use strict';

/** Text as HTML (escaped). */
function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text as a code span. */
function code(text) {
  return `<code>${escapeHtml(text)}</code>`;
}

/** An API path as code that may wrap before each `/` (the help sidebar is narrow). */
function pathCode(apiPath) {
  return `<code>${escapeHtml(apiPath).replace(/(?!^)\//g, '<wbr>/')}</code>`;
}

/** Plain text with `code` spans, as HTML. */
function richText(text) {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A dictionary phrase with its `__name__` slots filled (values are HTML). */
function say(words, key, vars = {}) {
  const phrase = words[key];
  if (phrase === undefined) throw new Error(`generate-help: no phrase "${key}"`);
  return phrase.replace(/__(\w+)__/g, (whole, name) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) throw new Error(`generate-help: phrase "${key}" needs __${name}__`);
    return String(vars[name]);
  });
}

/** A value as a flow would write it: strings quoted. */
function valueText(value) {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The key of an English label in the editor's catalogs (`major stream` → `major_stream`). */
function slug(text) {
  return String(text).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** `text` followed by its qualifiers in brackets, e.g. "set (required)". */
function qualified(words, text, qualifiers) {
  return qualifiers.length === 0 ? text : `${text}${words.open}${qualifiers.join(words.listSep)}${words.close}`;
}

/** Phrases as sentences, e.g. in a table cell's notes. */
function sentences(words, phrases) {
  return phrases.length === 0 ? '' : `${phrases.join(words.sentenceSep)}${words.sentenceEnd}`;
}

/** A table: one header row, then a row per entry (cells are HTML). */
function table(indent, headers, rows) {
  const lines = [`${indent}<table>`, `${indent}    <thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`, `${indent}    <tbody>`];
  for (const row of rows) lines.push(`${indent}        <tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
  lines.push(`${indent}    </tbody>`, `${indent}</table>`);
  return lines.join('\n');
}

module.exports = { escapeHtml, code, pathCode, richText, say, valueText, slug, qualified, sentences, table };
