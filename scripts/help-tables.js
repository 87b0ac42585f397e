// The tables of the generated help (scripts/generate-help.js), one function per marker: the node's actions,
// the parameters they take with their limits, what each answers, every catalog operation, and the error codes.
// Each gets the page (helpPage in generate-help.js) and the indent of its marker.
'use strict';
const { escapeHtml, code, pathCode, richText, say, valueText, qualified, sentences, table } = require('./help-html');
const { settingsTable } = require('./help-settings');

// ---- parameters

function typeText(param, L) {
  if (param.type !== 'list') return code(param.type);
  if (!param.items) return code('list');
  return param.items.type === 'object' ? L.words.listOfObjects : say(L.words, 'listOf', { type: code(param.items.type) });
}

/** Values and limits of a parameter, as HTML parts. */
function limitParts(param, L) {
  const w = L.words;
  const parts = [];
  if (param.unit === 's') parts.push(w.epochS);
  if (param.unit === 'ms') parts.push(w.epochMs);
  if (param.enum) {
    const labels = param.enumLabels || {};
    parts.push(
      param.enum
        .map((value) => {
          const english = labels[String(value)];
          return english ? `${code(valueText(value))} ${escapeHtml(L.enumLabel(english))}` : code(valueText(value));
        })
        .join(w.listSep),
    );
  } else if (param.min !== undefined && param.max !== undefined) {
    parts.push(say(w, 'range', { min: param.min, max: param.max }));
  } else if (param.min !== undefined && !(param.unit && param.min === 0)) {
    // (an epoch time says "since 1970" already)
    parts.push(say(w, 'atLeast', { min: param.min }));
  } else if (param.max !== undefined) {
    parts.push(say(w, 'atMost', { max: param.max }));
  }
  // The catalog's rules across fields: an end not before its begin, a pre-recording within the whole.
  if (param.atLeast !== undefined) parts.push(say(w, 'atLeast', { min: code(param.atLeast) }));
  if (param.atMost !== undefined) parts.push(say(w, 'atMost', { max: code(param.atMost) }));
  if (param.maxLength !== undefined) parts.push(say(w, 'maxLength', { max: param.maxLength }));
  if (param.patternHint) parts.push(say(w, 'format', { hint: code(param.patternHint) }));
  else if (param.pattern) parts.push(say(w, 'pattern', { pattern: code(param.pattern) }));
  if (param.minItems !== undefined && param.maxItems !== undefined) parts.push(say(w, 'itemsRange', { min: param.minItems, max: param.maxItems }));
  else if (param.minItems === 1) parts.push(w.oneItem);
  else if (param.minItems !== undefined) parts.push(say(w, 'minItems', { min: param.minItems }));
  else if (param.maxItems !== undefined) parts.push(say(w, 'maxItems', { max: param.maxItems }));
  if (param.items && param.items.type !== 'object') {
    const inner = limitParts(param.items, L);
    if (inner.length > 0) parts.push(say(w, 'each', { limits: inner.join(w.partSep) }));
  }
  const fields = param.fields || (param.items && param.items.fields);
  if (fields) parts.push(`{${fields.map((field) => fieldText(field, L)).join(w.partSep)}}`);
  if (param.default !== undefined) parts.push(say(w, 'defaultValue', { value: code(valueText(param.default)) }));
  return parts;
}

/** A field of an object (or list item) inline: name, type, limits. */
function fieldText(field, L) {
  const parts = [typeText(field, L), ...limitParts(field, L)];
  return `${code(field.name)}: ${parts.join(L.words.fieldSep)}`;
}

/** What makes two parameters of the same name the same row: everything but description and required-ness. */
function signature(param) {
  if (!param) return null;
  return JSON.stringify([
    param.name,
    param.type,
    param.enum ?? null,
    param.enumLabels ?? null,
    param.min ?? null,
    param.max ?? null,
    param.default === undefined ? null : param.default,
    param.unit ?? null,
    param.minItems ?? null,
    param.maxItems ?? null,
    param.maxLength ?? null,
    param.atLeast ?? null,
    param.atMost ?? null,
    param.pattern ?? null,
    param.patternHint ?? null,
    signature(param.items),
    (param.fields || []).map(signature),
  ]);
}

// ---- what a node reaches

/** The operation names of an action, per plan kind of the node. */
function actionOperations(action, kinds) {
  if (!action.operation) return {};
  const out = {};
  for (const kind of kinds) out[kind] = typeof action.operation === 'string' ? action.operation : action.operation[kind];
  return out;
}

/** The kinds an operation name is reached with, grouped: [{ name, kinds }]. */
function groupedOperations(byKind) {
  const groups = [];
  for (const [kind, name] of Object.entries(byKind)) {
    const group = groups.find((g) => g.name === name);
    if (group) group.kinds.push(kind);
    else groups.push({ name, kinds: [kind] });
  }
  return groups;
}

function kindPrefix(page, kinds) {
  return page.kinds.length > 1 && kinds.length < page.kinds.length ? `${kinds.map(code).join(' / ')}${page.L.words.colon}` : '';
}

/** The "one of" groups of an action (generate-editor's HINTS, e.g. bind › apply: planId or planName). */
function oneOfGroups(page, actionKey) {
  const hints = page.hints && page.hints.oneOf;
  return (hints && hints[actionKey]) || [];
}

function operationOf(page, name) {
  const operation = page.findOperation(name);
  if (!operation) throw new Error(`${page.file}: the spec of ${page.type} names the operation ${name}, which is not in the catalog`);
  return operation;
}

function actionsTable(page, indent) {
  const w = page.L.words;
  const rows = page.described.actions.map((action, index) => {
    const raw = page.spec.actions[index];
    const reached = groupedOperations(actionOperations(raw, page.kinds)).map(({ name, kinds }) => ({ operation: operationOf(page, name), kinds }));
    const calls = reached.map(
      ({ operation, kinds }) =>
        `${kindPrefix(page, kinds)}${code(operation.name)}<br><small>${pathCode(operation.path)}${w.fieldSep}${say(w, 'version', { version: escapeHtml(operation.apiVer) })}</small>`,
    );
    const notes = [];
    if (action.allPages) notes.push(w.allPages);
    const safe = reached.filter(({ operation }) => operation.idempotent);
    if (safe.length === reached.length && reached.length > 0) notes.push(w.retried);
    else if (safe.length === 0 && reached.length > 0) notes.push(w.notRepeated);
    else if (reached.length > 0) notes.push(say(w, 'retriedSome', { names: safe.map(({ operation }) => code(operation.name)).join(w.listSep) }));
    if (notes.length > 0) calls.push(`<small>${sentences(w, notes)}</small>`);
    return [code(action.key), calls.length > 0 ? calls.join('<br>') : w.none];
  });
  return table(indent, [w.action, w.calls], rows);
}

/**
 * Every parameter of the node's actions, one row per name and limits (the same name with other limits,
 * e.g. eventType of two operations, gets its own row), with the actions that take it: actions that take
 * it the same way (required or not, in which plan kinds) share one entry, e.g. "set, apply (required); update".
 */
function paramsTable(page, indent) {
  const w = page.L.words;
  const rows = new Map(); // signature → { param, uses: Map(actionKey → [{ kinds, qualifiers }]) }
  for (const action of page.described.actions) {
    const groups = oneOfGroups(page, action.key);
    for (const kind of page.kinds) {
      for (const param of action.params[kind] || []) {
        const key = signature(param);
        if (!rows.has(key)) rows.set(key, { param, uses: new Map() });
        const qualifiers = [];
        const group = groups.find((g) => g.includes(param.name));
        if (group) {
          qualifiers.push(say(w, 'oneOf', { others: group.filter((name) => name !== param.name).map(code).join(w.listSep) }));
        } else if (param.required) {
          qualifiers.push(w.required);
        }
        if (param.requiredWhen) {
          qualifiers.push(say(w, 'requiredWhen', { param: code(param.requiredWhen.param), value: code(valueText(param.requiredWhen.equals)) }));
        }
        const uses = rows.get(key).uses;
        if (!uses.has(action.key)) uses.set(action.key, []);
        const same = uses.get(action.key).find((use) => use.qualifiers.join('|') === qualifiers.join('|'));
        if (same) same.kinds.push(kind);
        else uses.get(action.key).push({ kinds: [kind], qualifiers });
      }
    }
  }
  const body = [...rows.values()].map(({ param, uses }) => {
    const label = page.L.fieldLabel(param.property || param.name);
    const name = label ? `${code(param.name)}<br><small>${escapeHtml(label)}</small>` : code(param.name);
    // Actions with the same qualifiers (kinds, required…) are listed together.
    const together = [];
    for (const [actionKey, entries] of uses) {
      for (const { kinds, qualifiers } of entries) {
        const all = [...(page.kinds.length > 1 && kinds.length < page.kinds.length ? kinds.map(code) : []), ...qualifiers];
        const key = all.join('|');
        const group = together.find((g) => g.key === key);
        if (group) group.actions.push(actionKey);
        else together.push({ key, all, actions: [actionKey] });
      }
    }
    const usedBy = together.map(({ all, actions }) => qualified(w, actions.map(code).join(w.listSep), all)).join(w.partSep);
    const limits = [typeText(param, page.L), ...limitParts(param, page.L)];
    return [name, limits.join(w.partSep), usedBy];
  });
  return table(indent, [w.parameter, w.values, w.usedBy], body);
}

/** The fields of an answer, one level of list items or objects deep: `a`, `b: [{c, d}, …]`. */
function answerText(operation, page) {
  const w = page.L.words;
  if (!operation.response || operation.response.length === 0) return w.nothing;
  return operation.response
    .map((field) => {
      const fields = field.fields || (field.items && field.items.fields);
      if (!fields) return code(field.name);
      const inner = `{${fields.map((f) => code(f.name)).join(', ')}}`;
      return `${code(field.name)}: ${field.type === 'list' ? `[${inner}, …]` : inner}`;
    })
    .join(', ');
}

function outputsTable(page, indent) {
  const w = page.L.words;
  const rows = page.described.actions.map((action, index) => {
    const groups = groupedOperations(actionOperations(page.spec.actions[index], page.kinds));
    const calls = groups.map(({ name, kinds }) => `${kindPrefix(page, kinds)}${code(name)}`).join('<br>');
    // Kinds whose answers read the same share one line.
    const answers = [];
    for (const { name, kinds } of groups) {
      const text = answerText(operationOf(page, name), page);
      const same = answers.find((answer) => answer.text === text);
      if (same) same.kinds.push(...kinds);
      else answers.push({ text, kinds: [...kinds] });
    }
    const cell = answers.map(({ text, kinds }) => `${kindPrefix(page, kinds)}${text}`).join('<br>');
    return [code(action.key), calls || w.none, groups.length > 0 ? cell : w.none];
  });
  return table(indent, [w.action, w.operation, w.answer], rows);
}

function operationsTable(page, indent) {
  const w = page.L.words;
  const rows = page.operations.map((operation) => {
    const params = operation.params.map((param) => {
      const qualifiers = [typeText(param, page.L)];
      if (param.required) qualifiers.push(w.required);
      if (param.requiredWhen) qualifiers.push(say(w, 'requiredWhen', { param: code(param.requiredWhen.param), value: code(valueText(param.requiredWhen.equals)) }));
      const limits = limitParts(param, page.L);
      return `${qualified(w, code(param.name), qualifiers)}${limits.length > 0 ? `: ${limits.join(w.partSep)}` : ''}`;
    });
    const where = `${pathCode(operation.path)}${w.fieldSep}${say(w, 'version', { version: escapeHtml(operation.apiVer) })}${operation.idempotent ? '' : `${w.sentenceSep}${sentences(w, [w.notRepeated])}`}`;
    return [`${code(operation.name)}<br><small>${where}</small>`, params.length > 0 ? params.join('<br>') : w.none];
  });
  return table(indent, [w.operation, w.parameters], rows);
}

function errorsTable(page, indent) {
  const w = page.L.words;
  const rows = page.errorCodes.map((entry) => {
    const text = entry[w.errorKey];
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`generate-help: error code ${entry.code} has no ${w.errorKey} text`);
    return [code(entry.code), richText(text)];
  });
  return table(indent, [w.code, w.meaning], rows);
}

/** The table of each marker, by name. */
const RENDER = { actions: actionsTable, params: paramsTable, outputs: outputsTable, operations: operationsTable, errors: errorsTable, settings: settingsTable };

module.exports = { RENDER };
