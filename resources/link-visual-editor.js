/*
 * Editor helpers shared by the node dialogs of node-red-contrib-link-visual.
 *
 * Node-RED serves this file at resources/node-red-contrib-link-visual/link-visual-editor.js and loads it
 * (once per node set, before the set's inline scripts) from every node's .html. The build embeds each
 * operation node's spec (actions, their parameters per plan kind, the catalog's limits) with
 * LinkVisualEditor.registerSpec; the dialogs call prepare/save/cancel, and every parameter's `validate`
 * calls LinkVisualEditor.validate(type, property).
 *
 * Plain ES2017, no build step. The only global is window.LinkVisualEditor.
 */
(function () {
  'use strict';

  var previous = window.LinkVisualEditor;
  if (previous && previous.loaded) return; // each node set loads this file; the first copy wins

  var MODULE = 'node-red-contrib-link-visual';
  var CONFIG_NS = MODULE + '/link-visual-config:';
  var CONTEXT_TYPES = ['msg', 'flow', 'global', 'env', 'jsonata'];
  var SLOT_SECONDS = 1800;
  var SLOTS = 48;
  var DAY_SECONDS = 86400;
  var LAST_SECOND = 86399;
  var REGIONS = {
    'cn-shanghai': 'https://api.link.aliyun.com',
    'ap-southeast-1': 'https://ap-southeast-1.api-iot.aliyuncs.com',
    'us-east-1': 'https://us-east-1.api-iot.aliyuncs.com',
    'eu-central-1': 'https://eu-central-1.api-iot.aliyuncs.com',
  };
  var AUTH_MODES = ['session', 'authCode', 'iotToken', 'cloud'];
  var CREDENTIALS = ['appKey', 'appSecret', 'identityId', 'refreshToken', 'authCode', 'iotToken', 'projectId'];
  var PICKERS = { iotId: 'devices', planId: 'plans' };

  var specs = Object.create(null);
  var sessions = Object.create(null);
  var validators = Object.create(null);
  var catalogRequest = null;

  // ---------------------------------------------------------------------------------------------
  // i18n

  function hasRED() {
    return typeof RED !== 'undefined' && RED !== null && typeof RED._ === 'function';
  }

  function fill(text, vars) {
    return String(text).replace(/__(\w+)__/g, function (match, name) {
      return vars && vars[name] !== undefined ? String(vars[name]) : match;
    });
  }

  function translate(fullKey, vars, fallback) {
    var options = {};
    var name;
    for (name in vars || {}) options[name] = vars[name];
    if (fallback !== undefined) options.defaultValue = fallback;
    if (!hasRED()) return fill(fallback !== undefined ? fallback : fullKey, vars);
    var text = RED._(fullKey, options);
    if (typeof text !== 'string' || text === fullKey || text === fullKey.slice(fullKey.indexOf(':') + 1)) {
      return fill(fallback !== undefined ? fallback : fullKey, vars);
    }
    return text;
  }

  /** A shared editor string (config node catalog, section `editor`). */
  function t(key, vars, fallback) {
    return translate(CONFIG_NS + 'editor.' + key, vars, fallback);
  }

  /** A string of one node's own catalog (`<type>.<key>`). */
  function nodeText(type, key, fallback, vars) {
    return translate(MODULE + '/' + type + ':' + type + '.' + key, vars, fallback);
  }

  function slug(text) {
    return String(text).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  }

  function paramLabel(property) {
    return t('param.' + property, null, property);
  }

  function enumLabel(param, value) {
    var english = param.enumLabels && param.enumLabels[String(value)];
    if (!english) return '';
    return t('enumLabel.' + slug(english), null, english);
  }

  // ---------------------------------------------------------------------------------------------
  // Specs

  function registerSpec(type, spec) {
    if (typeof type === 'string' && spec && typeof spec === 'object') specs[type] = spec;
  }

  function getSpec(type) {
    return specs[type];
  }

  /** The action for a configured operation: an action key, or a catalog name (with its plan kind). */
  function resolveAction(spec, requested) {
    if (!spec || !requested) return undefined;
    var i;
    for (i = 0; i < spec.actions.length; i++) {
      if (spec.actions[i].key === requested) return { action: spec.actions[i] };
    }
    for (i = 0; i < spec.actions.length; i++) {
      var operation = spec.actions[i].operation;
      if (!operation) continue;
      if (typeof operation === 'string') {
        if (operation === requested) return { action: spec.actions[i] };
        continue;
      }
      for (var kind in operation) {
        if (operation[kind] === requested) return { action: spec.actions[i], kind: kind };
      }
    }
    return undefined;
  }

  function paramsOf(action, kind) {
    if (!action) return [];
    return action.params[kind] || action.params.record || [];
  }

  function findBy(list, field, value) {
    for (var i = 0; i < (list || []).length; i++) if (list[i][field] === value) return list[i];
    return undefined;
  }

  function defaultType(param) {
    switch (param.type) {
      case 'int':
      case 'long':
        return 'num';
      case 'boolean':
        return 'bool';
      case 'list':
      case 'object':
        return 'json';
      default:
        return 'str';
    }
  }

  function isEditing(node) {
    var session = node && sessions[node.id];
    return !!(session && session.open && typeof $ === 'function');
  }

  /** Reads a node property: the open dialog's field when this node is being edited, else the node. */
  function reader(node, prefix) {
    var editing = isEditing(node);
    return function (property) {
      if (editing) {
        var element = $('#' + prefix + property);
        if (element.length) return element.attr('type') === 'checkbox' ? element.prop('checked') : element.val();
      }
      return node ? node[property] : undefined;
    };
  }

  /** The action and plan kind a node (or its open dialog) selects. */
  function selection(node, spec) {
    var read = reader(node, 'node-input-');
    var requested = String(read('operation') || '');
    // No operation set: the runtime runs the node's first action (the only one of snapshot and record).
    var found = requested ? resolveAction(spec, requested) : spec.actions[0] ? { action: spec.actions[0] } : undefined;
    var kind = 'record';
    if (spec.kinds) kind = (found && found.kind) || read('kind') || 'record';
    return { read: read, requested: requested, action: found && found.action, kind: kind };
  }

  // ---------------------------------------------------------------------------------------------
  // Validation (mirrors lib/catalog/validate.ts for what the editor can know)

  function isPlainObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  function describeValue(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return t('value.list', null, 'a list');
    if (typeof value === 'string') return value.length > 40 ? t('value.longString', { length: value.length }, 'a string of __length__ characters') : JSON.stringify(value);
    if (typeof value === 'object') return t('value.object', null, 'an object');
    return String(value);
  }

  function join(path, message) {
    return path ? path + ': ' + message : message;
  }

  /** The first problem of a value against a catalog parameter spec, or ''. */
  function checkValue(spec, value, path) {
    var i;
    var problem;
    switch (spec.type) {
      case 'string':
        if (typeof value !== 'string') return join(path, t('validation.string', { value: describeValue(value) }, 'must be text, got __value__'));
        if (spec.required && value.length === 0) return join(path, t('validation.empty', null, 'must not be empty'));
        if (spec.maxLength !== undefined && value.length > spec.maxLength) {
          return join(path, t('validation.maxLength', { max: spec.maxLength }, 'must be at most __max__ characters'));
        }
        if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
          return join(path, t('validation.pattern', { pattern: spec.patternHint || spec.pattern }, 'must match __pattern__'));
        }
        break;
      case 'int':
      case 'long':
        if (typeof value !== 'number' || !isFinite(value) || Math.floor(value) !== value) {
          return join(path, t('validation.integer', null, 'must be a whole number'));
        }
        if (spec.type === 'int' && (value > 2147483647 || value < -2147483648)) return join(path, t('validation.int32', null, 'must fit in a 32-bit integer'));
        if (Math.abs(value) > 9007199254740991) return join(path, t('validation.safe', null, 'is too large'));
        if (spec.min !== undefined && value < spec.min) return join(path, t('validation.min', { min: spec.min }, 'must be ≥ __min__'));
        if (spec.max !== undefined && value > spec.max) return join(path, t('validation.max', { max: spec.max }, 'must be ≤ __max__'));
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return join(path, t('validation.boolean', null, 'must be true or false'));
        break;
      case 'list':
        if (!Array.isArray(value)) return join(path, t('validation.list', { value: describeValue(value) }, 'must be a JSON list, got __value__'));
        if (spec.minItems !== undefined && value.length < spec.minItems) {
          return join(path, t('validation.minItems', { min: spec.minItems }, 'must have at least __min__ item(s)'));
        }
        if (spec.maxItems !== undefined && value.length > spec.maxItems) {
          return join(path, t('validation.maxItems', { max: spec.maxItems, count: value.length }, 'must have at most __max__ items, got __count__'));
        }
        if (spec.items) {
          for (i = 0; i < value.length; i++) {
            problem = checkValue(spec.items, value[i], (path || '') + '[' + i + ']');
            if (problem) return problem;
          }
        }
        return '';
      case 'object':
        if (!isPlainObject(value)) return join(path, t('validation.object', { value: describeValue(value) }, 'must be a JSON object, got __value__'));
        return checkFields(spec.fields || [], value, path ? path + '.' : '');
      default:
        return '';
    }
    if (spec.enum !== undefined && spec.enum.indexOf(value) === -1) {
      return join(path, t('validation.enum', { values: spec.enum.map(function (v) { return JSON.stringify(v); }).join(', ') }, 'must be one of __values__'));
    }
    return '';
  }

  function checkFields(fields, values, prefix) {
    var problem;
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      var value = values[field.name];
      var path = prefix + field.name;
      if (value === undefined) {
        if (field.required) return join(path, t('validation.required', null, 'is required'));
        if (field.requiredWhen && values[field.requiredWhen.param] === field.requiredWhen.equals) {
          return join(path, t('validation.requiredWhen', { param: field.requiredWhen.param, value: JSON.stringify(field.requiredWhen.equals) }, 'is required when __param__ is __value__'));
        }
        continue;
      }
      problem = checkValue(field, value, path);
      if (problem) return problem;
    }
    if (typeof values.begin === 'number' && typeof values.end === 'number' && values.end < values.begin) {
      return join(prefix + 'end', t('validation.endBeforeBegin', { begin: values.begin }, 'must be ≥ begin (__begin__)'));
    }
    return '';
  }

  /**
   * The first problem of a TypedInput value (a string) of the given type for a parameter, or ''.
   * `requiredMessage` is the message for an empty value when the parameter is required ('' = optional).
   */
  function checkTyped(param, type, raw, requiredMessage) {
    var value = raw === undefined || raw === null ? '' : String(raw);
    if (type === 'date') return '';
    if (value.trim() === '') return requiredMessage || '';
    if (CONTEXT_TYPES.indexOf(type) !== -1) return '';
    var text = value.trim();
    switch (param.type) {
      case 'int':
      case 'long':
        if (!/^-?\d+$/.test(text)) {
          if (type === 'str' && param.unit) {
            return isNaN(Date.parse(text)) ? t('validation.time', null, 'must be a whole number or a date (ISO 8601)') : '';
          }
          return t('validation.integer', null, 'must be a whole number');
        }
        return checkValue(param, Number(text), '');
      case 'boolean':
        return text === 'true' || text === 'false' ? '' : t('validation.boolean', null, 'must be true or false');
      case 'list':
      case 'object': {
        var parsed;
        try {
          parsed = JSON.parse(value);
        } catch (error) {
          return t('validation.json', { error: error.message }, 'is not valid JSON: __error__');
        }
        return checkValue(param, parsed, '');
      }
      default:
        return checkValue(param, value, '');
    }
  }

  function isEmpty(value) {
    return value === undefined || value === null || String(value).trim() === '';
  }

  /** Whether the node takes parameters from msg.payload (the runtime's rule: unless overrides are locked). */
  function takesMessage(sel) {
    var locked = sel.read('ignoreMsg');
    return locked !== true && locked !== 'true';
  }

  /**
   * '' when an empty value is fine, else the message it gets. An empty field is fine while the node takes
   * parameters from the message (the runtime then needs them there, and says so if they are missing).
   */
  function requiredMessage(spec, sel, param, params) {
    if (takesMessage(sel)) return '';
    var groups = (spec.hints && spec.hints.oneOf && sel.action && spec.hints.oneOf[sel.action.key]) || [];
    for (var g = 0; g < groups.length; g++) {
      if (groups[g].indexOf(param.property) === -1) continue;
      var others = groups[g].filter(function (property) { return property !== param.property && findBy(params, 'property', property); });
      var anyGiven = others.some(function (property) { return !isEmpty(sel.read(property)); });
      if (anyGiven || groups[g][0] !== param.property) return '';
      return t('validation.oneOf', { names: groups[g].map(function (property) { return findBy(params, 'property', property) ? findBy(params, 'property', property).name : property; }).join(' / ') }, 'give __names__');
    }
    if (param.required) return t('validation.required', null, 'is required');
    if (param.requiredWhen) {
      var other = findBy(params, 'name', param.requiredWhen.param);
      if (!other) return '';
      var otherType = sel.read(other.property + 'Type') || defaultType(other);
      var otherValue = sel.read(other.property);
      if (CONTEXT_TYPES.indexOf(otherType) !== -1 || isEmpty(otherValue)) return '';
      var current = otherType === 'bool' ? otherValue === 'true' : /^-?\d+$/.test(String(otherValue).trim()) ? Number(otherValue) : String(otherValue);
      if (current === param.requiredWhen.equals) {
        return t('validation.requiredWhen', { param: other.name, value: JSON.stringify(param.requiredWhen.equals) }, 'is required when __param__ is __value__');
      }
    }
    return '';
  }

  function checkOperation(spec, value) {
    var requested = String(value || '').trim();
    if (!requested) return spec.actions.length ? '' : t('validation.noOperation', null, 'choose an operation');
    if (resolveAction(spec, requested) || requested.charAt(0) === '/') return '';
    return t('validation.unknownOperation', { operation: requested, list: spec.actions.map(function (a) { return a.key; }).join(', ') }, '"__operation__" is not an operation of this node (__list__)');
  }

  function positiveNumber(value) {
    if (isEmpty(value)) return '';
    var n = Number(value);
    return isFinite(n) && n > 0 ? '' : t('validation.positive', null, 'must be a number greater than 0');
  }

  function positiveInteger(value) {
    if (isEmpty(value)) return '';
    var n = Number(value);
    return isFinite(n) && n > 0 && Math.floor(n) === n ? '' : t('validation.positiveInteger', null, 'must be a whole number greater than 0');
  }

  // Rules for node settings that are not API parameters: function (value) { return problem or '' }, this = node.
  var SETTINGS = {
    'link-visual-config': {
      region: function (value) {
        return !value || REGIONS[value] || value === 'custom' ? '' : t('validation.region', null, 'unknown region');
      },
      endpoint: function (value) {
        var region = reader(this, 'node-config-input-')('region');
        if (region !== 'custom') return '';
        var text = String(value || '').trim();
        if (!text) return t('validation.endpointRequired', null, 'a custom region needs an endpoint URL');
        return /^https?:\/\/[^\s/]+/.test(text) ? '' : t('validation.url', null, 'must be an http:// or https:// URL');
      },
      authMode: function (value) {
        return !value || AUTH_MODES.indexOf(value) !== -1 ? '' : t('validation.authMode', null, 'unknown auth mode');
      },
      rateLimit: positiveNumber,
      timeout: positiveNumber,
    },
    'link-visual-snapshot': { timeout: positiveNumber },
    'link-visual-pictures': { maxImages: positiveInteger },
    'link-visual-api': {
      operation: function (value) {
        var text = String(value || '').trim();
        if (!text) return t('validation.noOperation', null, 'choose an operation');
        if (text.charAt(0) === '/') return /^\/[\w\-./]+$/.test(text) ? '' : t('validation.path', null, 'must be an API path such as /vision/customer/record/query');
        return /^[A-Za-z][\w]*$/.test(text) ? '' : t('validation.operationName', null, 'must be a catalog operation name or an API path');
      },
      params: function (value) {
        var type = reader(this, 'node-input-')('paramsType') || 'json';
        if (type !== 'json' || isEmpty(value)) return '';
        var parsed;
        try {
          parsed = JSON.parse(value);
        } catch (error) {
          return t('validation.json', { error: error.message }, 'is not valid JSON: __error__');
        }
        return isPlainObject(parsed) ? '' : t('validation.object', { value: describeValue(parsed) }, 'must be a JSON object, got __value__');
      },
      apiVer: function (value) {
        var type = reader(this, 'node-input-')('apiVerType') || 'str';
        if (type !== 'str' || isEmpty(value)) return '';
        return /^\d+(\.\d+){0,3}$/.test(String(value).trim()) ? '' : t('validation.apiVer', null, 'must look like 1.0.0');
      },
    },
  };

  function settingLabel(type, property) {
    return nodeText(type, 'label.' + property, property);
  }

  /** The problem of a property value of a node (this = node), or ''. */
  function check(node, type, property, value) {
    var rule = SETTINGS[type] && SETTINGS[type][property];
    if (rule) {
      var settingProblem = rule.call(node, value);
      return settingProblem ? settingLabel(type, property) + ': ' + settingProblem : '';
    }
    var spec = specs[type];
    if (!spec) return '';
    if (property === 'operation') {
      var operationProblem = checkOperation(spec, value);
      return operationProblem ? t('label.operation', null, 'Operation') + ': ' + operationProblem : '';
    }
    if (property === 'kind') {
      return !spec.kinds || !value || value === 'record' || value === 'event' ? '' : t('label.kind', null, 'Plan kind') + ': ' + t('validation.kind', null, 'must be record or event');
    }
    if (property === 'pages') return !value || value === 'all' || value === 'one' ? '' : t('label.pages', null, 'Pages') + ': ' + t('validation.pages', null, 'must be all or one');
    var sel = selection(node, spec);
    if (!sel.action) return ''; // the operation reports itself
    var params = paramsOf(sel.action, sel.kind);
    var param = findBy(params, 'property', property);
    if (!param) return ''; // not used by this operation: whatever it holds is ignored at run time
    var typedType = sel.read(property + 'Type') || defaultType(param);
    var problem = checkTyped(param, typedType, value, requiredMessage(spec, sel, param, params));
    return problem ? paramLabel(property) + ' (' + param.name + '): ' + problem : '';
  }

  /** A Node-RED `validate` function for a property: true, or a message string (Node-RED ≥ 3). */
  function validate(type, property) {
    var key = type + '\u0000' + property;
    if (!validators[key]) {
      validators[key] = function (value, _options) {
        try {
          var problem = check(this, type, property, value);
          return problem ? problem : true;
        } catch (error) {
          if (typeof console !== 'undefined') console.warn('link-visual: validating ' + type + '.' + property, error);
          return true; // never block the editor on a bug here
        }
      };
    }
    return validators[key];
  }

  // ---------------------------------------------------------------------------------------------
  // Weekly schedule: time sections <-> 7 × 48 half-hour slots

  function emptySlots() {
    var slots = [];
    for (var day = 0; day < 7; day++) {
      var row = [];
      for (var slot = 0; slot < SLOTS; slot++) row.push(false);
      slots.push(row);
    }
    return slots;
  }

  /**
   * Time sections ([begin, end) seconds of a day; end 86399 means midnight) to half-hour slots. A slot
   * is on when a section covers any part of it; `exact` is false when some boundary is not on a half hour.
   */
  function sectionsToSlots(sections) {
    var slots = emptySlots();
    if (!Array.isArray(sections)) return { slots: slots, exact: false, error: t('schedule.notList', null, 'timeSectionList must be a JSON list') };
    var exact = true;
    for (var i = 0; i < sections.length; i++) {
      var section = sections[i];
      var problem = isPlainObject(section) ? checkFields(TIME_SECTION_FIELDS, section, '[' + i + '].') : '[' + i + ']: ' + t('validation.object', { value: describeValue(section) }, 'must be a JSON object, got __value__');
      if (problem) return { slots: emptySlots(), exact: false, error: problem };
      var end = section.end >= LAST_SECOND ? DAY_SECONDS : section.end;
      if (section.begin % SLOT_SECONDS !== 0 || end % SLOT_SECONDS !== 0) exact = false;
      for (var slot = 0; slot < SLOTS; slot++) {
        var start = slot * SLOT_SECONDS;
        if (section.begin < start + SLOT_SECONDS && end > start) slots[section.dayOfWeek][slot] = true;
      }
    }
    return { slots: slots, exact: exact, error: '' };
  }

  /** Half-hour slots to time sections: contiguous slots of a day merge; the last half hour ends at 86399. */
  function slotsToSections(slots) {
    var sections = [];
    for (var day = 0; day < 7; day++) {
      var slot = 0;
      while (slot < SLOTS) {
        if (!slots[day][slot]) {
          slot++;
          continue;
        }
        var last = slot;
        while (last + 1 < SLOTS && slots[day][last + 1]) last++;
        var end = (last + 1) * SLOT_SECONDS;
        sections.push({ dayOfWeek: day, begin: slot * SLOT_SECONDS, end: end >= DAY_SECONDS ? LAST_SECOND : end });
        slot = last + 1;
      }
    }
    return sections;
  }

  var TIME_SECTION_FIELDS = [
    { name: 'dayOfWeek', type: 'int', required: true, min: 0, max: 6 },
    { name: 'begin', type: 'int', required: true, min: 0, max: LAST_SECOND },
    { name: 'end', type: 'int', required: true, min: 0, max: LAST_SECOND },
  ];

  function clock(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    return (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m;
  }

  function dayName(day) {
    return t('schedule.day.' + day, null, ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][day]);
  }

  function zoneLabel(zone) {
    return 'UTC' + (zone < 0 ? '−' + -zone : '+' + zone);
  }

  // ---------------------------------------------------------------------------------------------
  // Admin requests

  /** POSTs JSON to an admin route (relative URL, so the editor adds its auth headers); never rejects. */
  function post(url, body) {
    return new Promise(function (resolve) {
      $.ajax({ url: url, method: 'POST', contentType: 'application/json', data: JSON.stringify(body), dataType: 'json', timeout: 60000 })
        .done(function (answer) {
          resolve(isPlainObject(answer) ? answer : { ok: false, error: { code: 'BAD_ANSWER', message: t('errors.badAnswer', null, 'the admin endpoint answered something unexpected') } });
        })
        .fail(function (xhr, status) {
          resolve({ ok: false, error: httpError(xhr, status) });
        });
    });
  }

  function httpError(xhr, status) {
    var code = xhr && xhr.status ? 'HTTP ' + xhr.status : String(status || 'error').toUpperCase();
    var message;
    if (!xhr || !xhr.status) message = t('errors.network', null, 'Node-RED did not answer (network error or timeout)');
    else if (xhr.status === 401 || xhr.status === 403) message = t('errors.permission', null, 'not permitted: your editor user needs the link-visual permissions');
    else if (xhr.status === 404) message = t('errors.noRoute', null, 'the admin endpoint is missing: restart Node-RED after installing or updating the package');
    else message = String(xhr.responseText || xhr.statusText || '').slice(0, 300);
    return { code: code, message: message };
  }

  function credentialsOf(source) {
    var credentials = {};
    if (!source) return credentials;
    CREDENTIALS.forEach(function (name) {
      if (typeof source[name] === 'string') credentials[name] = source[name];
    });
    return credentials;
  }

  /**
   * The body for a picker request: `{id}` for a deployed, unchanged account, else `{id, settings}` from
   * the editor's copy of the config node (its properties and any credentials edited in this session;
   * passwords left alone arrive as `__PWRD__` or not at all, and the route keeps the stored ones).
   */
  function accountRequest(id) {
    var body = { id: id };
    var config = hasRED() && RED.nodes && RED.nodes.node ? RED.nodes.node(id) : null;
    if (config && (config.changed || config.credentials)) {
      body.settings = {
        region: config.region,
        endpoint: config.endpoint,
        authMode: config.authMode,
        rateLimit: config.rateLimit,
        timeout: config.timeout,
        credentials: credentialsOf(config.credentials),
      };
    }
    return body;
  }

  // ---------------------------------------------------------------------------------------------
  // Operation node dialogs

  function typedLabel(type, fallback) {
    return hasRED() ? RED._('typedInput.type.' + type, { defaultValue: fallback }) : fallback;
  }

  function formatDefault(param) {
    if (param.default === undefined) return '';
    var label = param.enum ? enumLabel(param, param.default) : '';
    return JSON.stringify(param.default) + (label ? ' (' + label + ')' : '');
  }

  function notSetOption(param) {
    var label = param.default !== undefined ? t('type.serverDefault', { value: formatDefault(param) }, '— not set: __value__ —') : t('type.notSet', null, '— not set —');
    return { value: '', label: label };
  }

  /** TypedInput types of a parameter (options for enums and booleans keep "not set" possible). */
  function typesFor(param) {
    var context = ['msg', 'flow', 'global', 'env'];
    var first;
    switch (param.type) {
      case 'int':
      case 'long': {
        first = param.enum
          ? { value: 'num', label: typedLabel('num', 'number'), icon: 'red/images/typedInput/09.svg', options: [notSetOption(param)].concat(enumOptions(param)) }
          : 'num';
        var types = [first, 'str'].concat(context);
        if (param.unit) {
          var options = [
            { value: 'iso', label: t('type.nowIso', null, 'now (ISO 8601 text)') },
            { value: 'object', label: t('type.nowDate', null, 'now (Date)') },
          ];
          if (param.unit === 'ms') options.unshift({ value: '', label: t('type.nowMs', null, 'now (milliseconds)') });
          types.push({ value: 'date', label: typedLabel('date', 'timestamp'), icon: 'fa fa-clock-o', options: options });
        }
        return types;
      }
      case 'boolean':
        return [{ value: 'bool', label: typedLabel('bool', 'boolean'), icon: 'red/images/typedInput/bool.svg', options: [notSetOption(param), { value: 'true', label: 'true' }, { value: 'false', label: 'false' }] }].concat(context);
      case 'string':
        first = param.enum ? { value: 'str', label: typedLabel('str', 'string'), icon: 'red/images/typedInput/az.svg', options: [notSetOption(param)].concat(enumOptions(param)) } : 'str';
        return [first].concat(context);
      default:
        return ['json'].concat(context);
    }
  }

  function enumOptions(param) {
    return param.enum.map(function (value) {
      var label = enumLabel(param, value);
      return { value: String(value), label: label ? value + ' – ' + label : String(value) };
    });
  }

  function typesSignature(param) {
    return JSON.stringify([param.type, param.enum || null, param.enumLabels || null, param.unit || null, param.default === undefined ? null : param.default]);
  }

  /** Short limits for the placeholder: range, unit, pattern, items. */
  function limitsText(param) {
    var parts = [];
    if (param.type === 'int' || param.type === 'long') {
      if (param.unit) parts.push(param.unit === 's' ? t('hint.epochS', null, 'epoch seconds or a date') : t('hint.epochMs', null, 'epoch ms or a date'));
      if (!param.enum) {
        if (param.min !== undefined && param.max !== undefined) parts.push(param.min + ' … ' + param.max);
        else if (param.min !== undefined && !param.unit) parts.push('≥ ' + param.min);
        else if (param.max !== undefined) parts.push('≤ ' + param.max);
      }
    }
    if (param.type === 'string') {
      if (param.patternHint) parts.push(param.patternHint);
      if (param.maxLength !== undefined) parts.push(t('hint.maxLength', { max: param.maxLength }, '≤ __max__ characters'));
    }
    if (param.type === 'list') {
      var items = param.items && param.items.type === 'string' ? '["…", "…"]' : param.items && param.items.type === 'object' ? '[{…}]' : '[…]';
      parts.push(items);
      if (param.minItems !== undefined && param.maxItems !== undefined) parts.push(t('hint.itemsRange', { min: param.minItems, max: param.maxItems }, '__min__ to __max__ items'));
      else if (param.maxItems !== undefined) parts.push(t('hint.maxItems', { max: param.maxItems }, 'at most __max__ items'));
    }
    if (param.type === 'object') parts.push('{…}');
    if (param.default !== undefined && !param.enum && param.type !== 'boolean') parts.push(t('hint.default', { value: JSON.stringify(param.default) }, 'default __value__'));
    return parts.join(' · ');
  }

  function helpText(param, required) {
    var text = param.name + ' — ' + param.description;
    var limits = limitsText(param);
    if (limits) text += ' (' + limits + ')';
    if (required) text += ' ' + t('hint.required', null, 'Required.');
    if (param.requiredWhen) text += ' ' + t('hint.requiredWhen', { param: param.requiredWhen.param, value: JSON.stringify(param.requiredWhen.equals) }, 'Required when __param__ is __value__.');
    return text;
  }

  function textInputOf(row) {
    return row.input.next('.red-ui-typedInput-container').find('input.red-ui-typedInput-input');
  }

  function prepare(node) {
    var spec = specs[node.type];
    var session = { id: node.id, node: node, type: node.type, spec: spec, open: true, rows: {}, pickers: [], cleanups: [] };
    sessions[node.id] = session;
    var form = $('#node-input-operation').closest('form');
    session.form = form.length ? form : $(document.body);
    injectStyles();
    if (node.type === 'link-visual-api') {
      prepareApi(session);
      return;
    }
    if (!spec) return;
    prepareOperationSelect(session);
    prepareRows(session);
    Object.keys(PICKERS).forEach(function (property) {
      if (session.rows[property]) addPicker(session, session.rows[property], PICKERS[property]);
    });
    Object.keys(session.rows).forEach(function (property) {
      var row = session.rows[property];
      if (row.base.type === 'list' && row.base.items && row.base.items.enum) addEnumList(session, row);
    });
    if (session.rows.timeSectionList) buildSchedule(session);
    $('#node-input-operation, #node-input-kind').on('change.lvEditor', function () {
      update(session);
    });
    $('#node-input-account').on('change.lvEditor', function () {
      session.pickers.forEach(function (picker) {
        picker.reset();
      });
    });
    session.cleanups.push(function () {
      $('#node-input-operation, #node-input-kind, #node-input-account').off('.lvEditor');
    });
    update(session);
  }

  function prepareOperationSelect(session) {
    var node = session.node;
    var select = $('#node-input-operation');
    var found = resolveAction(session.spec, node.operation);
    // A node written by hand (or an old flow) may lack `kind`: the runtime then uses record plans.
    if (session.spec.kinds && !$('#node-input-kind').val()) $('#node-input-kind').val('record');
    if (found) {
      select.val(found.action.key);
      if (found.kind && session.spec.kinds) $('#node-input-kind').val(found.kind);
    } else if (node.operation) {
      $('<option>').val(node.operation).text(t('label.unknownOperation', { operation: node.operation }, '(unknown: __operation__)')).appendTo(select);
      select.val(node.operation);
    } else if (session.spec.actions.length > 0) {
      select.val(session.spec.actions[0].key);
    }
  }

  function prepareRows(session) {
    session.form.find('.lv-param[data-lv-property]').each(function () {
      var wrapper = $(this);
      var property = wrapper.attr('data-lv-property');
      var base = findBy(session.spec.properties, 'property', property);
      var input = $('#node-input-' + property);
      if (!base || !input.length) return;
      var row = { property: property, base: base, param: base, wrapper: wrapper, input: input, label: wrapper.find('label').first(), signature: typesSignature(base), help: '', visible: true };
      if (PICKERS[property]) input.attr('style', 'width: calc(70% - 40px)');
      input.typedInput({ types: typesFor(base), typeField: '#node-input-' + property + 'Type', default: defaultType(base) });
      row.tooltip = hasRED() && RED.popover && RED.popover.tooltip
        ? RED.popover.tooltip(row.label, function () {
            return $('<span>').text(row.help);
          })
        : null;
      session.rows[property] = row;
    });
    session.cleanups.push(function () {
      Object.keys(session.rows).forEach(function (property) {
        var tooltip = session.rows[property].tooltip;
        if (tooltip && typeof tooltip.delete === 'function') tooltip.delete();
      });
    });
  }

  function update(session) {
    if (!session.open) return;
    var spec = session.spec;
    var sel = selection(session.node, spec);
    var params = paramsOf(sel.action, sel.kind);
    var container = null;
    params.forEach(function (param) {
      var row = session.rows[param.property];
      if (!row) return;
      container = container || row.wrapper.parent();
      container.append(row.wrapper); // rows follow the catalog order of the chosen operation
    });
    Object.keys(session.rows).forEach(function (property) {
      var row = session.rows[property];
      var param = findBy(params, 'property', property);
      row.visible = !!param;
      if (!param) {
        row.wrapper.hide();
        return;
      }
      row.param = param;
      var signature = typesSignature(param);
      if (signature !== row.signature) {
        row.input.typedInput('types', typesFor(param));
        row.signature = signature;
      }
      var required = !!param.required && !(spec.hints && spec.hints.oneOf && spec.hints.oneOf[sel.action.key] && spec.hints.oneOf[sel.action.key].some(function (group) { return group.indexOf(property) !== -1; }));
      row.label.toggleClass('lv-required', required);
      row.help = helpText(param, required);
      textInputOf(row).attr('placeholder', limitsText(param));
      row.wrapper.show();
    });
    session.form.find('.lv-pages-row').toggle(!!(sel.action && sel.action.allPages));
    session.form.find('[data-lv-actions]').each(function () {
      var keys = String($(this).attr('data-lv-actions')).split(/\s+/);
      $(this).toggle(!!sel.action && keys.indexOf(sel.action.key) !== -1);
    });
    session.pickers.forEach(function (picker) {
      picker.refreshKind();
    });
    if (session.schedule) session.schedule.refresh();
    if (session.onUpdate) session.onUpdate(sel);
  }

  // ---- device and plan pickers

  function addPicker(session, row, what) {
    var formRow = row.wrapper.children('.form-row').first();
    var button = $('<button type="button" class="red-ui-button lv-picker-button"><i class="fa fa-search"></i></button>')
      .attr('title', t('picker.' + what + '.button', null, what === 'devices' ? 'Choose a device of the account' : 'Choose a plan of the account'))
      .appendTo(formRow);
    var panel = $('<div class="form-row lv-picker"></div>').hide().appendTo(row.wrapper);
    $('<label>&nbsp;</label>').appendTo(panel);
    var select = $('<select class="lv-picker-select"></select>').hide().appendTo(panel);
    var refresh = $('<button type="button" class="red-ui-button lv-picker-refresh"><i class="fa fa-refresh"></i></button>')
      .attr('title', t('picker.refresh', null, 'Load again'))
      .appendTo(panel);
    var status = $('<div class="lv-picker-status"></div>').appendTo(panel);
    var picker = { what: what, items: null, key: '', seq: 0 };

    function kindOf() {
      return what === 'plans' && session.spec.kinds ? $('#node-input-kind').val() || 'record' : what === 'plans' ? 'record' : '';
    }

    function setStatus(kind, text) {
      status.removeClass('lv-error lv-busy').addClass(kind ? 'lv-' + kind : '');
      status.empty();
      if (kind === 'busy') status.append('<i class="fa fa-spinner fa-spin"></i> ');
      if (kind === 'error') status.append('<i class="fa fa-exclamation-triangle"></i> ');
      status.append($('<span>').text(text));
    }

    function render() {
      var items = picker.items || [];
      select.empty();
      if (items.length === 0) {
        select.hide();
        setStatus('', t('picker.' + what + '.none', null, what === 'devices' ? 'The account has no devices.' : 'The account has no plans of this kind.'));
        return;
      }
      $('<option value="">').text(t('picker.' + what + '.choose', { count: items.length }, 'choose one of __count__…')).appendTo(select);
      items.forEach(function (item) {
        var id = what === 'devices' ? item.iotId : item.planId;
        var text = item.name && item.name !== id ? item.name + ' — ' + id : id;
        if (what === 'devices') text += item.online ? '  ● ' + t('picker.online', null, 'online') : '  ○ ' + t('picker.offline', null, 'offline');
        $('<option>').val(id).text(text).appendTo(select);
      });
      var current = row.input.typedInput('type') === 'str' ? row.input.typedInput('value') : '';
      select.val(findBy(items, what === 'devices' ? 'iotId' : 'planId', current) ? current : '');
      select.show();
      setStatus('', '');
    }

    function load(force) {
      var account = $('#node-input-account').val();
      panel.show();
      if (!account || account === '_ADD_') {
        select.hide();
        setStatus('error', t('picker.noAccount', null, 'Choose or add an account first.'));
        return;
      }
      var kind = kindOf();
      var key = account + '|' + kind;
      if (!force && picker.items && picker.key === key) {
        render();
        return;
      }
      var body = accountRequest(account);
      if (what === 'plans') body.kind = kind;
      var seq = ++picker.seq;
      select.hide();
      button.prop('disabled', true);
      refresh.prop('disabled', true);
      setStatus('busy', t('picker.loading', null, 'Asking the account…'));
      post('link-visual/' + what, body).then(function (answer) {
        if (seq !== picker.seq || !session.open) return;
        button.prop('disabled', false);
        refresh.prop('disabled', false);
        if (!answer.ok) {
          picker.items = null;
          var error = answer.error || {};
          setStatus('error', (error.code ? error.code + ': ' : '') + (error.message || t('errors.unknown', null, 'unknown error')));
          return;
        }
        picker.items = Array.isArray(answer[what]) ? answer[what] : [];
        picker.key = key;
        render();
      });
    }

    button.on('click', function () {
      if (panel.is(':visible') && picker.items) {
        panel.hide();
        return;
      }
      load(false);
    });
    refresh.on('click', function () {
      load(true);
    });
    select.on('change', function () {
      var value = select.val();
      if (!value) return;
      row.input.typedInput('type', 'str');
      row.input.typedInput('value', value);
    });

    picker.reset = function () {
      picker.items = null;
      picker.key = '';
      picker.seq++;
      button.prop('disabled', false);
      refresh.prop('disabled', false);
      panel.hide();
    };
    picker.refreshKind = function () {
      if (what !== 'plans' || !panel.is(':visible')) return;
      var account = $('#node-input-account').val();
      if (picker.key && picker.key !== account + '|' + kindOf()) load(false);
    };
    session.pickers.push(picker);
  }

  // ---- checkboxes for lists of enumerated values (eventTypeList)

  function addEnumList(session, row) {
    var items = row.base.items;
    var box = $('<div class="form-row lv-enum-list"><label>&nbsp;</label></div>').appendTo(row.wrapper);
    var inner = $('<span class="lv-enum-options"></span>').appendTo(box);
    var boxes = items.enum.map(function (value) {
      var label = $('<label class="lv-enum-option"></label>').appendTo(inner);
      var checkbox = $('<input type="checkbox">').val(String(value)).appendTo(label);
      $('<span>').text(' ' + value + (enumLabel(items, value) ? ' – ' + enumLabel(items, value) : '')).appendTo(label);
      return checkbox;
    });
    var writing = false;

    function sync() {
      if (writing) return;
      var type = row.input.typedInput('type');
      box.toggle(type === 'json');
      var list = [];
      try {
        list = JSON.parse(row.input.typedInput('value') || '[]');
      } catch (_error) {
        list = [];
      }
      boxes.forEach(function (checkbox, index) {
        checkbox.prop('checked', Array.isArray(list) && list.indexOf(items.enum[index]) !== -1);
      });
    }

    inner.on('change', 'input', function () {
      var list = [];
      boxes.forEach(function (checkbox, index) {
        if (checkbox.prop('checked')) list.push(items.enum[index]);
      });
      writing = true;
      row.input.typedInput('type', 'json');
      row.input.typedInput('value', list.length ? JSON.stringify(list) : '');
      writing = false;
    });
    row.input.on('change.lvEnum', sync);
    session.cleanups.push(function () {
      row.input.off('.lvEnum');
    });
    sync();
  }

  // ---- weekly schedule grid for timeSectionList

  function buildSchedule(session) {
    var row = session.rows.timeSectionList;
    var allDayRow = session.rows.allDay;
    var zoneRow = session.rows.timeZone;
    var box = $('<div class="lv-schedule"></div>').appendTo(row.wrapper);
    var toolbar = $('<div class="lv-schedule-toolbar"></div>').appendTo(box);
    var allDayLabel = $('<label class="lv-schedule-allday"></label>').appendTo(toolbar);
    var allDay = $('<input type="checkbox">').appendTo(allDayLabel);
    $('<span>').text(' ' + t('schedule.allDay', null, 'All day, every day')).appendTo(allDayLabel);
    var clear = $('<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-eraser"></i> </button>').appendTo(toolbar);
    clear.append($('<span>').text(t('schedule.clear', null, 'Clear')));
    var zoneBox = $('<span class="lv-schedule-zone"><i class="fa fa-globe"></i> </span>').appendTo(toolbar);
    var zone = $('<select></select>').attr('title', t('schedule.zoneTitle', null, 'The time zone of the plan (timeZone)')).appendTo(zoneBox);
    $('<option value="">').text(t('schedule.zoneDefault', null, 'UTC+8 (default)')).appendTo(zone);
    for (var offset = -11; offset <= 12; offset++) $('<option>').val(String(offset)).text(zoneLabel(offset)).appendTo(zone);
    var zoneContext = $('<option value="-context-" disabled>').appendTo(zone);

    var grid = $('<div class="lv-schedule-grid"></div>').appendTo(box);
    $('<div class="lv-schedule-corner"></div>').appendTo(grid);
    for (var hour = 0; hour < 24; hour++) {
      $('<div class="lv-schedule-hour"></div>')
        .attr('data-hour', hour)
        .attr('title', clock(hour * 3600) + '–' + clock((hour + 1) * 3600))
        .text(hour % 3 === 0 ? String(hour) : '')
        .appendTo(grid);
    }
    var cells = [];
    for (var day = 0; day < 7; day++) {
      $('<div class="lv-schedule-day"></div>').attr('data-day', day).text(dayName(day)).appendTo(grid);
      var dayCells = [];
      for (var slot = 0; slot < SLOTS; slot++) {
        dayCells.push(
          $('<div class="lv-schedule-cell"></div>')
            .attr('data-day', day)
            .attr('data-slot', slot)
            .toggleClass('lv-hour', slot % 2 === 0)
            .appendTo(grid),
        );
      }
      cells.push(dayCells);
    }
    var info = $('<div class="lv-schedule-info"></div>').appendTo(box);
    var warning = $('<div class="lv-schedule-warning"></div>').hide().appendTo(box);

    var state = { slots: emptySlots(), drag: null, writing: false, disabled: false, shown: false };

    function typed(target) {
      return target ? { type: target.input.typedInput('type'), value: String(target.input.typedInput('value') || '').trim() } : null;
    }

    function render() {
      var rect = state.drag ? dragRect() : null;
      for (var d = 0; d < 7; d++) {
        for (var s = 0; s < SLOTS; s++) {
          var on = state.slots[d][s];
          var inRect = rect && d >= rect.d0 && d <= rect.d1 && s >= rect.s0 && s <= rect.s1;
          cells[d][s].toggleClass('lv-on', inRect ? state.drag.value : on).toggleClass('lv-preview', !!inRect);
        }
      }
      summary();
    }

    function summary() {
      if (state.disabled) {
        info.text(t('schedule.allDayInfo', null, 'Records all day, every day: the sections are ignored.'));
        return;
      }
      var sections = slotsToSections(state.slots);
      if (sections.length === 0) {
        info.text(t('schedule.empty', null, 'No time sections yet: drag across the grid to paint (start on a painted cell to erase).'));
        return;
      }
      var seconds = 0;
      sections.forEach(function (section) {
        seconds += (section.end === LAST_SECOND ? DAY_SECONDS : section.end) - section.begin;
      });
      info.text(t('schedule.summary', { sections: sections.length, hours: Math.round((seconds / 3600) * 10) / 10 }, '__sections__ section(s), __hours__ h a week'));
    }

    function dragRect() {
      var drag = state.drag;
      return {
        d0: Math.min(drag.d0, drag.d1),
        d1: Math.max(drag.d0, drag.d1),
        s0: Math.min(drag.s0, drag.s1),
        s1: Math.max(drag.s0, drag.s1),
      };
    }

    function readInput() {
      if (state.writing) return;
      var value = typed(row);
      state.shown = value.type === 'json' && row.visible;
      box.toggle(state.shown);
      warning.hide();
      if (value.type !== 'json') return;
      if (value.value === '') {
        state.slots = emptySlots();
      } else {
        var parsed;
        try {
          parsed = JSON.parse(value.value);
        } catch (error) {
          parsed = undefined;
          warning.text(t('schedule.invalid', { error: error.message }, 'The JSON cannot be shown on the grid (__error__); painting replaces it.')).show();
        }
        if (parsed !== undefined) {
          var result = sectionsToSlots(parsed);
          state.slots = result.slots;
          if (result.error) warning.text(t('schedule.invalid', { error: result.error }, 'The JSON cannot be shown on the grid (__error__); painting replaces it.')).show();
          else if (!result.exact) warning.text(t('schedule.rounded', null, 'Some sections do not start or end on a half hour; the grid shows every half hour they touch, and painting rounds them.')).show();
        }
      }
      render();
    }

    function write() {
      var sections = slotsToSections(state.slots);
      state.writing = true;
      row.input.typedInput('type', 'json');
      row.input.typedInput('value', sections.length ? JSON.stringify(sections) : '');
      state.writing = false;
      warning.hide();
      var all = typed(allDayRow);
      if (all && sections.length && (all.type === 'num' || all.type === 'str') && all.value === '') {
        allDayRow.input.typedInput('type', 'num');
        allDayRow.input.typedInput('value', '0');
      }
      render();
    }

    function readAllDay() {
      var all = typed(allDayRow);
      var context = !all || CONTEXT_TYPES.indexOf(all.type) !== -1;
      allDay.prop('disabled', context);
      allDay.prop('checked', !context && all.value === '1');
      state.disabled = !context && all.value === '1';
      box.toggleClass('lv-disabled', state.disabled);
      summary();
    }

    function readZone() {
      var current = typed(zoneRow);
      if (!current) {
        zoneBox.hide();
        return;
      }
      var context = CONTEXT_TYPES.indexOf(current.type) !== -1 || current.type === 'date';
      zone.prop('disabled', context);
      if (context) {
        zoneContext.text(t('schedule.zoneContext', { type: current.type }, 'from __type__')).show();
        zone.val('-context-');
      } else {
        zoneContext.hide();
        zone.val(/^-?\d+$/.test(current.value) && Number(current.value) >= -11 && Number(current.value) <= 12 ? String(Number(current.value)) : '');
      }
      // The grid's selector stands in for the timeZone row while the grid is shown.
      zoneRow.wrapper.toggle(zoneRow.visible && (!state.shown || context));
    }

    function cellAt(event) {
      var source = event.originalEvent || event;
      var element = document.elementFromPoint(source.clientX, source.clientY);
      if (!element || !grid[0].contains(element)) return null;
      var cell = $(element).closest('.lv-schedule-cell');
      return cell.length ? { d: Number(cell.attr('data-day')), s: Number(cell.attr('data-slot')) } : null;
    }

    function endDrag(event) {
      $(document).off('.lvSchedule');
      if (!state.drag) return;
      var rect = dragRect();
      var value = state.drag.value;
      state.drag = null;
      if (event && event.type === 'pointercancel') {
        render();
        return;
      }
      for (var d = rect.d0; d <= rect.d1; d++) for (var s = rect.s0; s <= rect.s1; s++) state.slots[d][s] = value;
      write();
    }

    grid.on('pointerdown', '.lv-schedule-cell', function (event) {
      if (state.disabled || (event.originalEvent && event.originalEvent.button > 0)) return;
      event.preventDefault();
      var d = Number($(this).attr('data-day'));
      var s = Number($(this).attr('data-slot'));
      state.drag = { d0: d, s0: s, d1: d, s1: s, value: !state.slots[d][s] };
      render();
      $(document)
        .on('pointermove.lvSchedule', function (moveEvent) {
          var cell = cellAt(moveEvent);
          if (cell && state.drag && (cell.d !== state.drag.d1 || cell.s !== state.drag.s1)) {
            state.drag.d1 = cell.d;
            state.drag.s1 = cell.s;
            render();
          }
        })
        .on('pointerup.lvSchedule pointercancel.lvSchedule', endDrag);
    });
    grid.on('pointermove', '.lv-schedule-cell', function () {
      if (state.drag) return;
      var d = Number($(this).attr('data-day'));
      var s = Number($(this).attr('data-slot'));
      info.text(dayName(d) + ' ' + clock(s * SLOT_SECONDS) + '–' + clock((s + 1) * SLOT_SECONDS));
    });
    grid.on('pointerleave', function () {
      if (!state.drag) summary();
    });
    grid.on('click', '.lv-schedule-day', function () {
      if (state.disabled) return;
      var d = Number($(this).attr('data-day'));
      var full = state.slots[d].every(Boolean);
      for (var s = 0; s < SLOTS; s++) state.slots[d][s] = !full;
      write();
    });
    grid.on('click', '.lv-schedule-hour', function () {
      if (state.disabled) return;
      var h = Number($(this).attr('data-hour'));
      var full = state.slots.every(function (daySlots) {
        return daySlots[2 * h] && daySlots[2 * h + 1];
      });
      state.slots.forEach(function (daySlots) {
        daySlots[2 * h] = !full;
        daySlots[2 * h + 1] = !full;
      });
      write();
    });
    clear.on('click', function () {
      state.slots = emptySlots();
      write();
    });
    allDay.on('change', function () {
      if (!allDayRow) return;
      allDayRow.input.typedInput('type', 'num');
      allDayRow.input.typedInput('value', allDay.prop('checked') ? '1' : '0');
    });
    zone.on('change', function () {
      if (!zoneRow || zone.val() === '-context-') return;
      zoneRow.input.typedInput('type', 'num');
      zoneRow.input.typedInput('value', zone.val());
    });

    row.input.on('change.lvSchedule', function () {
      readInput();
      readZone();
    });
    if (allDayRow) allDayRow.input.on('change.lvSchedule', readAllDay);
    else allDayLabel.hide();
    if (zoneRow) zoneRow.input.on('change.lvSchedule', readZone);
    session.cleanups.push(function () {
      $(document).off('.lvSchedule');
      row.input.off('.lvSchedule');
      if (allDayRow) allDayRow.input.off('.lvSchedule');
      if (zoneRow) zoneRow.input.off('.lvSchedule');
    });

    session.schedule = {
      refresh: function () {
        readInput();
        readAllDay();
        readZone();
      },
    };
  }

  // ---- the api node: free operation with a catalog datalist and info

  function loadCatalog() {
    if (!catalogRequest) {
      catalogRequest = new Promise(function (resolve) {
        $.ajax({ url: 'link-visual/catalog', method: 'GET', dataType: 'json', timeout: 30000 })
          .done(function (answer) {
            resolve(answer && Array.isArray(answer.operations) ? answer.operations : []);
          })
          .fail(function () {
            catalogRequest = null; // try again next time
            resolve([]);
          });
      });
    }
    return catalogRequest;
  }

  function prepareApi(session) {
    $('#node-input-params').typedInput({ types: ['json', 'msg', 'flow', 'global', 'env'], typeField: '#node-input-paramsType', default: 'json' });
    $('#node-input-apiVer').typedInput({ types: ['str', 'msg', 'flow', 'global', 'env'], typeField: '#node-input-apiVerType', default: 'str' });
    var operation = $('#node-input-operation');
    var info = $('.lv-api-info');
    var skeleton = $('#node-lv-api-skeleton');
    var operations = [];
    var listId = 'lv-api-operations-' + String(session.id).replace(/[^\w-]/g, '');
    var datalist = $('<datalist>').attr('id', listId).insertAfter(operation);
    operation.attr('list', listId);

    function current() {
      var text = String(operation.val() || '').trim();
      return findBy(operations, 'name', text) || findBy(operations, 'path', text);
    }

    function show() {
      var op = current();
      info.empty();
      skeleton.prop('disabled', !op);
      $('#node-input-apiVer').next('.red-ui-typedInput-container').find('input.red-ui-typedInput-input').attr('placeholder', op ? t('api.catalogVersion', { apiVer: op.apiVer }, 'from the catalog: __apiVer__') : t('api.versionNeeded', null, 'required for a path outside the catalog'));
      if (!op) {
        if (String(operation.val() || '').trim() && operations.length) info.text(t('api.notInCatalog', null, 'Not in the catalog: the path is called as given, without validation; set apiVer.'));
        return;
      }
      $('<div>').append($('<code>').text(op.path), ' · apiVer ', $('<code>').text(op.apiVer)).appendTo(info);
      $('<div>').text(op.description).appendTo(info);
      if (op.params && op.params.length) {
        var list = $('<div class="lv-api-params"></div>').appendTo(info);
        op.params.forEach(function (param, index) {
          if (index) list.append(', ');
          var item = $('<code>').text(param.name + (param.required ? '*' : '')).attr('title', param.type + ' — ' + param.description);
          list.append(item);
        });
      }
    }

    operation.on('change.lvEditor input.lvEditor', show);
    skeleton.on('click', function () {
      var op = current();
      if (!op) return;
      var body = {};
      (op.params || []).forEach(function (param) {
        if (!param.required && param.default === undefined) return;
        body[param.name] = param.default !== undefined ? param.default : param.type === 'list' ? [] : param.type === 'object' ? {} : param.type === 'boolean' ? false : param.type === 'string' ? '' : 0;
      });
      $('#node-input-params').typedInput('type', 'json');
      $('#node-input-params').typedInput('value', JSON.stringify(body));
    });
    session.cleanups.push(function () {
      operation.off('.lvEditor');
    });
    loadCatalog().then(function (list) {
      if (!session.open) return;
      operations = list;
      list.forEach(function (op) {
        $('<option>').val(op.name).text(op.path + ' — ' + op.description).appendTo(datalist);
      });
      show();
    });
    show();
  }

  function save(node) {
    close(node);
  }

  function cancel(node) {
    close(node);
  }

  function close(node) {
    var session = node && sessions[node.id];
    if (!session) return;
    session.open = false;
    session.cleanups.forEach(function (cleanup) {
      try {
        cleanup();
      } catch (_error) {
        // the dialog is going away anyway
      }
    });
    delete sessions[node.id];
  }

  function resize(_node, _size) {
    // The grid and rows size themselves with CSS.
  }

  // ---------------------------------------------------------------------------------------------
  // The account (config node) dialog

  function configFormSettings() {
    var settings = {
      region: $('#node-config-input-region').val(),
      endpoint: $('#node-config-input-endpoint').val(),
      authMode: $('#node-config-input-authMode').val(),
      rateLimit: $('#node-config-input-rateLimit').val(),
      timeout: $('#node-config-input-timeout').val(),
      credentials: {},
    };
    CREDENTIALS.forEach(function (name) {
      var element = $('#node-config-input-' + name);
      if (element.length) settings.credentials[name] = element.val();
    });
    return settings;
  }

  function configText(key, vars, fallback) {
    return translate(CONFIG_NS + 'link-visual-config.' + key, vars, fallback);
  }

  function prepareConfig(node) {
    var session = { id: node.id, node: node, type: node.type, open: true, rows: {}, pickers: [], cleanups: [] };
    sessions[node.id] = session;
    injectStyles();
    var region = $('#node-config-input-region');
    var authMode = $('#node-config-input-authMode');
    if (!region.val()) region.val('cn-shanghai');
    if (!authMode.val()) authMode.val('session');

    function sync() {
      var chosen = region.val();
      $('.lv-endpoint-row').toggle(chosen === 'custom');
      $('.lv-region-host-row').toggle(chosen !== 'custom');
      $('.lv-region-host').text(REGIONS[chosen] || '');
      var mode = authMode.val() || 'session';
      $('[data-lv-auth]').each(function () {
        $(this).toggle(String($(this).attr('data-lv-auth')).split(/\s+/).indexOf(mode) !== -1);
      });
    }

    region.on('change.lvEditor', sync);
    authMode.on('change.lvEditor', sync);
    sync();

    var button = $('#node-config-lv-test');
    var result = $('.lv-test-result');
    var seq = 0;
    button.on('click.lvEditor', function () {
      var mine = ++seq;
      button.prop('disabled', true);
      result.removeClass('lv-ok lv-error').empty().append('<i class="fa fa-spinner fa-spin"></i> ', $('<span>').text(configText('test.testing', null, 'Testing…'))).show();
      post('link-visual/test', { id: node.id, settings: configFormSettings() }).then(function (answer) {
        if (mine !== seq || !session.open) return;
        button.prop('disabled', false);
        result.empty();
        if (answer.ok) {
          var text = typeof answer.devices === 'number'
            ? configText('test.ok', { endpoint: answer.endpoint, devices: answer.devices }, 'Connected to __endpoint__: __devices__ device(s).')
            : configText('test.okNoCount', { endpoint: answer.endpoint }, 'Connected to __endpoint__.');
          if (typeof answer.durationMs === 'number') text += ' (' + answer.durationMs + ' ms)';
          result.addClass('lv-ok').append('<i class="fa fa-check"></i> ', $('<span>').text(text));
        } else {
          var error = answer.error || {};
          result
            .addClass('lv-error')
            .append('<i class="fa fa-exclamation-triangle"></i> ', $('<span>').text((error.code ? error.code + ': ' : '') + (error.message || t('errors.unknown', null, 'unknown error'))));
        }
      });
    });
    session.cleanups.push(function () {
      region.off('.lvEditor');
      authMode.off('.lvEditor');
      button.off('.lvEditor');
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Styles

  function injectStyles() {
    if (typeof document === 'undefined' || document.getElementById('link-visual-editor-css')) return;
    var link = document.createElement('link');
    link.id = 'link-visual-editor-css';
    link.rel = 'stylesheet';
    link.href = STYLESHEET;
    document.head.appendChild(link);
  }

  // Resolved now: document.currentScript is only set while this file runs.
  var STYLESHEET = (function () {
    var script = typeof document !== 'undefined' ? document.currentScript : null;
    if (script && script.src && /\.js(\?.*)?$/.test(script.src)) return script.src.replace(/\.js(\?.*)?$/, '.css');
    var root = hasRED() && RED.settings && RED.settings.apiRootUrl ? RED.settings.apiRootUrl : '';
    return root + 'resources/' + MODULE + '/link-visual-editor.css';
  })();

  var api = {
    loaded: true,
    version: 1,
    registerSpec: registerSpec,
    getSpec: getSpec,
    prepare: prepare,
    save: save,
    cancel: cancel,
    resize: resize,
    validate: validate,
    prepareConfig: prepareConfig,
    saveConfig: save,
    cancelConfig: cancel,
    // Pure helpers, exported for tests and reuse.
    schedule: { sectionsToSlots: sectionsToSlots, slotsToSections: slotsToSections },
    checkTyped: checkTyped,
    checkValue: checkValue,
    typesFor: typesFor,
    resolveAction: resolveAction,
    accountRequest: accountRequest,
  };
  window.LinkVisualEditor = api;
  if (previous && Array.isArray(previous.pending)) {
    previous.pending.forEach(function (entry) {
      registerSpec(entry[0], entry[1]);
    });
  }
})();
