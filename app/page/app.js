// juxta's offline app: the questionnaire, the live report, profiles in and out.
//
// The law is not here. The questions come from the facts schema and every answer from the
// engine (juxta-core and juxta-render compiled to WebAssembly, carried by this page): this
// script turns answers into the TOML profile the juxta command reads, asks the engine, and
// shows what it says. No framework: the page is small, and a framework would be more code to
// audit than the page itself.
'use strict';
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const data = JSON.parse($('#juxta-data').textContent);
  const form = $('#questions');
  const results = $('#results');
  const report = el('div', { id: 'report' });
  results.append(report);
  const statusLine = $('#status');
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  // ---- the engine ------------------------------------------------------------------------
  let module = null;
  let engine = null;
  let info = null; // what `init` answered: regimes, questionnaire

  function bytesOf(base64) {
    const text = atob(base64.trim());
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i);
    return out;
  }

  function call(request) {
    const bytes = encoder.encode(JSON.stringify(request));
    const x = engine.exports;
    const at = x.juxta_input(bytes.length);
    new Uint8Array(x.memory.buffer, at, bytes.length).set(bytes);
    const length = x.juxta_call();
    const out = x.juxta_output();
    return JSON.parse(decoder.decode(new Uint8Array(x.memory.buffer, out, length)));
  }

  function startEngine() {
    engine = new WebAssembly.Instance(module, {});
    return call({ op: 'init', regimes: data.regimes });
  }

  // A request the engine fails on (a trap) fails alone: a fresh engine takes its place.
  function ask(request) {
    try {
      return call(request);
    } catch (e) {
      let restarted = '';
      try {
        startEngine();
        restarted = '; a fresh engine has been started';
      } catch (e2) {
        restarted = `; the engine could not be restarted (${e2.message})`;
      }
      return { error: `the engine failed on this request (${e.message})${restarted}` };
    }
  }

  // ---- answers ---------------------------------------------------------------------------
  // path -> string | boolean | string[] | {amount, currency}; absent means unknown.
  const answers = new Map();
  let shown = new Set();
  const fields = new Map(); // path -> field of the questionnaire

  // Today as the juxta command counts it: the UTC date.
  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  const NUMBER = /^[+-]?(0|[1-9](_?[0-9])*)(\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?$/;
  const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

  function tomlString(s) {
    // JSON's escapes are TOML's, but for DEL, which TOML wants escaped.
    return JSON.stringify(String(s)).replace(/\u007f/g, '\\u007F');
  }

  // A number as typed, if TOML reads it as one; otherwise as text, so that the profile's
  // validation says what is wrong with it in the CLI's words.
  function tomlNumber(s) {
    const t = String(s).trim();
    return NUMBER.test(t) ? t : tomlString(s);
  }

  function tomlValue(field, v) {
    switch (field.type) {
      case 'bool': return v ? 'true' : 'false';
      case 'number': case 'integer': return tomlNumber(v);
      case 'date': return DATE.test(v) ? v : tomlString(v);
      // As text, which the validator reads as it reads a TOML date-time, and which TOML cannot
      // refuse (an impossible time is the validator's to name, at its field).
      case 'datetime': return tomlString(v.trim());
      case 'money': return `{ amount = ${tomlNumber(v.amount)}, currency = ${tomlString(v.currency)} }`;
      case 'string_list': case 'enum_list': return `[${v.map(tomlString).join(', ')}]`;
      default: return tomlString(v);
    }
  }

  // The answers as the TOML profile the juxta command reads.
  function profileToml() {
    const lines = ['# Written by the juxta app: the same profile `juxta compare` reads.',
      `schema_version = ${tomlString(info.questionnaire.version)}`];
    for (const table of info.questionnaire.tables) {
      const present = table.presence ? answers.get(table.presence.path) === true : true;
      if (!present) continue;
      const rows = table.fields
        .filter((f) => answers.has(f.path))
        .map((f) => `${f.name} = ${tomlValue(f, answers.get(f.path))}`);
      if (rows.length === 0 && !table.presence) continue;
      lines.push('', `[${table.name}]`, ...rows);
    }
    return `${lines.join('\n')}\n`;
  }

  // ---- the questionnaire -----------------------------------------------------------------
  const idOf = (path) => `q-${path.replace(/\./g, '--')}`;

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function humane(name) {
    const s = name.replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function regimeName(id) {
    const r = info.regimes.find((x) => x.id === id);
    return r && r.name ? r.name : id;
  }

  // The question of a fact path (any text: a problem's field may come from an opened file).
  function questionOf(path) {
    if (!path) return null;
    for (const q of form.querySelectorAll('.question[data-path]')) if (q.dataset.path === path) return q;
    return null;
  }

  function setAnswer(path, value) {
    if (value === undefined || value === '' || value === null) answers.delete(path);
    else answers.set(path, value);
    const q = questionOf(path);
    if (q) q.classList.toggle('answered', answers.has(path));
  }

  function changed() {
    updateVisibility();
    evaluate();
  }

  function help(field, id) {
    const sentence = (t) => (/[.!?)]$/.test(t) ? t : `${t}.`);
    const parts = [sentence(field.meaning.charAt(0).toUpperCase() + field.meaning.slice(1))];
    if (field.unit) parts.push(`Unit: ${field.unit}.`);
    parts.push(`Expected: ${field.describe}.`);
    if (field.if_absent) parts.push(sentence(`If unknown: ${field.if_absent}`));
    return el('span', { class: 'help', id: `${id}-help`, text: parts.join(' ') });
  }

  function choiceGroup(field, id, options, current, onPick) {
    const group = el('div', { class: 'choices', role: 'radiogroup', 'aria-labelledby': `${id}-label`, 'aria-describedby': `${id}-help` });
    options.forEach(([value, label], i) => {
      const rid = `${id}-${i}`;
      const input = el('input', { type: 'radio', name: id, id: rid, value, checked: value === current });
      input.addEventListener('change', () => { if (input.checked) { onPick(value); changed(); } });
      group.append(el('label', { for: rid }, input, ` ${label}`));
    });
    return group;
  }

  function question(field) {
    const id = idOf(field.path);
    const q = el('div', { class: 'question', 'data-path': field.path, 'data-type': field.type });
    const required = field.required ? el('span', { class: 'required-mark', text: ' (required)' }) : null;
    const heading = [humane(field.name), ' ', el('code', { text: field.path }), required];
    const grouped = ['bool', 'enum_list', 'money'].includes(field.type);
    q.append(grouped
      ? el('span', { class: 'label', id: `${id}-label` }, ...heading)
      : el('label', { for: id, id: `${id}-label` }, ...heading));
    q.append(help(field, id));
    const value = answers.get(field.path);
    const described = `${id}-help ${id}-problem`;
    switch (field.type) {
      case 'bool': {
        const current = value === true ? 'true' : value === false ? 'false' : '';
        q.append(choiceGroup(field, id, [['', 'unknown'], ['true', 'yes'], ['false', 'no']], current,
          (v) => setAnswer(field.path, v === '' ? undefined : v === 'true')));
        break;
      }
      case 'enum': {
        const select = el('select', { id, 'aria-describedby': described },
          el('option', { value: '', text: '— unknown —' }),
          ...field.values.map((v) => el('option', { value: v, text: v, selected: v === value })));
        select.addEventListener('change', () => { setAnswer(field.path, select.value || undefined); changed(); });
        q.append(select);
        break;
      }
      case 'enum_list': {
        const list = Array.isArray(value) ? value : null;
        const group = el('div', { class: 'choices', role: 'group', 'aria-labelledby': `${id}-label`, 'aria-describedby': described });
        const unknown = el('input', { type: 'checkbox', id: `${id}-unknown`, checked: list === null });
        const boxes = field.values.map((v, i) => el('input', { type: 'checkbox', id: `${id}-${i}`, value: v, checked: !!list && list.includes(v) }));
        const pick = () => {
          const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
          if (chosen.length > 0) unknown.checked = false;
          setAnswer(field.path, unknown.checked ? undefined : chosen);
          changed();
        };
        unknown.addEventListener('change', () => {
          if (unknown.checked) boxes.forEach((b) => { b.checked = false; });
          pick();
        });
        boxes.forEach((b) => b.addEventListener('change', pick));
        group.append(el('label', { for: unknown.id }, unknown, ' unknown'));
        boxes.forEach((b) => group.append(el('label', { for: b.id }, b, ` ${b.value}`)));
        q.append(group);
        break;
      }
      case 'money': {
        const money = value || {};
        const amount = el('input', { type: 'text', id, inputmode: 'decimal', autocomplete: 'off', value: money.amount || '', 'aria-labelledby': `${id}-label`, 'aria-describedby': described, placeholder: 'unknown' });
        const currency = el('select', { id: `${id}-currency`, 'aria-label': `${field.path}: currency` },
          ...field.values.map((c) => el('option', { value: c, text: c, selected: c === money.currency })));
        const update = () => {
          setAnswer(field.path, amount.value.trim() === '' ? undefined : { amount: amount.value, currency: currency.value });
          changed();
        };
        amount.addEventListener('input', update);
        currency.addEventListener('change', update);
        q.append(el('div', { class: 'money' }, amount, currency));
        break;
      }
      case 'string_list': {
        const area = el('textarea', { id, 'aria-describedby': described, placeholder: 'unknown — one per line' });
        area.value = Array.isArray(value) ? value.join('\n') : '';
        area.addEventListener('input', () => {
          const items = area.value.split('\n').map((s) => s.trim()).filter((s) => s !== '');
          setAnswer(field.path, items.length ? items : undefined);
          changed();
        });
        q.append(area);
        break;
      }
      default: {
        const kind = field.type === 'date' ? 'date' : 'text';
        const input = el('input', {
          type: kind, id, autocomplete: 'off', 'aria-describedby': described,
          inputmode: field.type === 'number' ? 'decimal' : field.type === 'integer' ? 'numeric' : null,
          placeholder: kind === 'text' ? 'unknown' : null,
        });
        input.value = typeof value === 'string' ? value : '';
        input.addEventListener('input', () => { setAnswer(field.path, input.value === '' ? undefined : input.value); changed(); });
        q.append(input);
      }
    }
    q.append(el('p', { class: 'problem', id: `${id}-problem`, hidden: true }));
    if (answers.has(field.path)) q.classList.add('answered');
    return q;
  }

  function buildForm() {
    form.replaceChildren();
    fields.clear();
    for (const table of info.questionnaire.tables) {
      const title = table.owner ? `${table.name} — only for ${regimeName(table.owner)}` : table.name;
      const set = el('fieldset', { id: `table-${table.name}`, 'data-table': table.name, 'data-owner': table.owner || null },
        el('legend', { text: title }),
        el('p', { class: 'table-meaning', text: table.meaning }));
      const inner = el('div', { class: 'table-fields' });
      if (table.presence) {
        const id = idOf(table.presence.path);
        const q = el('div', { class: 'question', 'data-path': table.presence.path, 'data-type': 'presence' },
          el('span', { class: 'label', id: `${id}-label`, text: `Does this table apply? ` }, el('code', { text: table.presence.path })),
          el('span', { class: 'help', id: `${id}-help`, text: `${table.presence.meaning} If not answered: ${table.presence.if_absent}.` }));
        q.append(choiceGroup(null, id, [['true', 'yes'], ['', 'no']], answers.get(table.presence.path) === true ? 'true' : '',
          (v) => setAnswer(table.presence.path, v === 'true' ? true : undefined)));
        set.append(q);
        inner.dataset.presence = table.presence.path;
      }
      for (const f of table.fields) {
        fields.set(f.path, f);
        inner.append(question(f));
      }
      set.append(inner);
      form.append(set);
    }
    updateVisibility();
  }

  // A regime's namespace only while the regime is shown; a presence table's fields only
  // while it is present (the derivation of someone else's model).
  function updateVisibility() {
    for (const set of form.querySelectorAll('fieldset[data-table]')) {
      const owner = set.dataset.owner;
      set.hidden = !!owner && !shown.has(owner);
      const inner = $('.table-fields', set);
      if (inner.dataset.presence) inner.hidden = answers.get(inner.dataset.presence) !== true;
    }
  }

  function reveal(path) {
    const q = questionOf(path);
    if (!q) return;
    const set = q.closest('fieldset[data-table]');
    if (set && set.hidden && set.dataset.owner) {
      shown.add(set.dataset.owner);
      const box = document.getElementById(`regime-${set.dataset.owner}`);
      if (box) box.checked = true;
      evaluate();
    }
    updateVisibility();
    const target = q.querySelector('input:checked, input, select, textarea');
    q.classList.add('highlight');
    setTimeout(() => q.classList.remove('highlight'), 2500);
    q.scrollIntoView({ block: 'center' });
    if (target) target.focus();
  }

  // ---- results ---------------------------------------------------------------------------
  let evaluations = 0;

  // The columns compared: the regimes ticked, and every regime that failed (its column says
  // why, as in the command's report).
  function columns() {
    return info.regimes.filter((r) => r.error || shown.has(r.id)).map((r) => r.id);
  }

  // The question a problem is about: its field, or the fact a money field's part belongs to.
  function questionOfProblem(field) {
    return questionOf(field) || (field && questionOf(field.replace(/\.(amount|currency)$/, '')));
  }

  // Problems of the answers, each at its question; `file` names an opened file whose
  // problems are listed with their lines instead (the form does not hold its values).
  function showProblems(answer, file) {
    for (const p of form.querySelectorAll('.problem')) { p.hidden = true; p.textContent = ''; }
    for (const q of form.querySelectorAll('.question.invalid')) {
      q.classList.remove('invalid');
      for (const i of q.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    }
    const box = $('#problems', results);
    if (box) box.remove();
    if (!answer.error) return;
    const list = el('ul');
    for (const p of answer.problems || [{ message: answer.error }]) {
      const where = file ? `${file}${p.line ? `, line ${p.line}` : ''}: ` : '';
      const text = `${where}${p.field ? `${p.field}: ` : ''}${p.message}${p.help ? ` (${p.help})` : ''}`;
      const q = !file && questionOfProblem(p.field);
      if (q) {
        q.classList.add('invalid');
        for (const i of q.querySelectorAll('input, select, textarea')) i.setAttribute('aria-invalid', 'true');
        const slot = $('.problem', q);
        slot.hidden = false;
        slot.textContent = p.message + (p.help ? ` (${p.help})` : '');
        const b = el('button', { type: 'button', text });
        b.addEventListener('click', () => reveal(q.dataset.path));
        list.append(el('li', {}, b));
      } else {
        list.append(el('li', { text }));
      }
    }
    const heading = file
      ? `${file} is not a valid profile; the answers and results are unchanged.`
      : 'These answers are not a valid profile yet; the results below are for the last valid answers.';
    results.prepend(el('div', { id: 'problems', class: 'engine-error problems' }, el('strong', { text: heading }), list));
  }

  // What the page adds to a rule of the report: its facts as data, an "answer" button for each
  // fact that would settle it, and its explanation behind the report's "why".
  function enhance(div, f) {
    div.dataset.needs = f.missing_facts.join(' ');
    if (f.due) div.dataset.due = f.due;
    if (f.missing_facts.length) {
      const links = el('div', { class: 'answer-links' }, 'settle it: ');
      for (const path of f.missing_facts) {
        const b = el('button', { type: 'button', 'data-answer': path, text: `answer ${path}` });
        b.addEventListener('click', () => reveal(path));
        links.append(b);
      }
      div.append(links);
    }
    // The report's "why" opens the rule's explanation (juxta explain): the condition with
    // the value of every part, and what would change it.
    const why = $(':scope > details', div);
    if (why) {
      why.classList.add('why');
      why.addEventListener('toggle', () => { if (why.open) explainInto(why, f.id); });
    }
  }

  function explainInto(why, rule) {
    const answer = ask({ op: 'explain', profile: profileToml(), today: today(), rule });
    const text = answer.ok ? answer.ok.text : answer.error;
    const pre = $(':scope > pre.why-tree', why);
    if (pre) pre.textContent = text;
    else why.append(el('pre', { class: 'why-tree', text }));
  }

  // Makes `live` show what `fresh` (the new report, parsed) shows, touching only what
  // changed, so that one answer re-lays out one rule and not the report, and an open
  // explanation stays open. A rule is replaced whole when its HTML changed and kept (with
  // what the page added to it) when it did not; other elements are updated in place.
  function morph(live, fresh, findings) {
    const wanted = Array.from(fresh.childNodes);
    wanted.forEach((n, i) => {
      const o = live.childNodes[i];
      if (!o) { live.append(adopt(n, findings)); return; }
      const rule = n.nodeType === 1 && n.matches('div.rule[data-rule]');
      if (o.nodeType !== n.nodeType || o.nodeName !== n.nodeName || rule) {
        if (rule && o.raw !== undefined && o.raw === n.outerHTML && o.dataset.rule === n.dataset.rule) return;
        live.replaceChild(adopt(n, findings), o);
        return;
      }
      if (n.nodeType !== 1) {
        if (o.nodeValue !== n.nodeValue) o.nodeValue = n.nodeValue;
        return;
      }
      // A list the reader opened (`<details open>`) stays open.
      for (const a of Array.from(o.attributes)) {
        if (!n.hasAttribute(a.name) && !(a.name === 'open' && o.nodeName === 'DETAILS')) o.removeAttribute(a.name);
      }
      for (const a of Array.from(n.attributes)) if (o.getAttribute(a.name) !== a.value) o.setAttribute(a.name, a.value);
      morph(o, n, findings);
    });
    while (live.childNodes.length > wanted.length) live.lastChild.remove();
  }

  // A new node of the report, with every rule in it enhanced.
  function adopt(n, findings) {
    if (n.nodeType !== 1) return n;
    const rules = n.matches('div.rule[data-rule]') ? [n] : Array.from(n.querySelectorAll('div.rule[data-rule]'));
    for (const div of rules) {
      div.raw = div.outerHTML;
      const f = findings.get(div.dataset.rule);
      if (f) enhance(div, f);
    }
    return n;
  }

  function evaluate() {
    const started = performance.now();
    const answer = ask({ op: 'compare', profile: profileToml(), label: 'questionnaire', today: today(), regimes: columns() });
    document.body.dataset.engineMs = (performance.now() - started).toFixed(3);
    showProblems(answer);
    if (answer.ok) {
      // The report's body (the page carries its style already), escaped by the engine's
      // templates like every report juxta writes; the policy runs no script it could hold.
      const html = answer.ok.html;
      const fresh = document.createElement('template');
      fresh.innerHTML = html.slice(html.indexOf('<body>') + 6, html.lastIndexOf('</body>'));
      const findings = new Map();
      for (const r of answer.ok.comparison.regimes) for (const f of r.rules || []) findings.set(f.id, f);
      const open = Array.from(report.querySelectorAll('div.rule > details.why[open]'));
      morph(report, fresh.content, findings);
      // An explanation open while answering stays open, explaining the new answers.
      for (const why of open) {
        const rule = why.parentElement.dataset.rule;
        const now = report.querySelector(`div.rule[data-rule="${CSS.escape(rule)}"] > details.why`);
        if (!now) continue;
        if (now === why) explainInto(why, rule);
        else now.open = true;
      }
    }
    const ms = performance.now() - started;
    evaluations += 1;
    document.body.dataset.evaluations = String(evaluations);
    document.body.dataset.lastMs = ms.toFixed(3);
    if (!document.body.dataset.firstResultMs) document.body.dataset.firstResultMs = performance.now().toFixed(1);
    statusLine.classList.toggle('failed', !answer.ok);
    statusLine.textContent = answer.ok
      ? `Evaluated ${answer.ok.comparison.regimes.length} regimes on ${answers.size} answers in ${ms.toFixed(1)} ms, in this browser.`
      : 'The answers are not a valid profile yet: see the messages.';
  }

  // ---- profiles in and out ---------------------------------------------------------------
  function download(name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  const stem = () => (answers.get('model.id') || 'profile').replace(/[^A-Za-z0-9._-]+/g, '-');

  function exportAs(format, extension, type) {
    const answer = ask({ op: 'export', profile: profileToml(), label: `${stem()}.toml`, today: today(), regimes: columns(), format_out: format });
    if (answer.ok) download(`${stem()}.${extension}`, answer.ok.text, type);
    else showProblems(answer);
  }

  function openProfile(file) {
    file.text().then((text) => {
      const format = /\.json$/i.test(file.name) ? 'json' : 'toml';
      const answer = ask({ op: 'read', profile: text, format, label: file.name, today: today() });
      if (!answer.ok) {
        showProblems(answer, file.name);
        statusLine.classList.add('failed');
        statusLine.textContent = `${file.name} could not be opened: ${answer.error}`;
        return;
      }
      answers.clear();
      for (const [path, value] of Object.entries(answer.ok.answers)) answers.set(path, value);
      buildForm();
      evaluate();
      statusLine.textContent = `Opened ${file.name}. ${statusLine.textContent}`;
    }).catch((e) => {
      statusLine.classList.add('failed');
      statusLine.textContent = `${file.name} could not be opened: ${e.message}`;
    });
  }

  // ---- start -----------------------------------------------------------------------------
  function regimeChoices() {
    const box = $('#regime-choice');
    for (const r of info.regimes) {
      if (r.error) {
        box.append(el('span', { class: 'engine-error', text: `${r.id} failed: ${r.error}` }));
        continue;
      }
      const input = el('input', { type: 'checkbox', id: `regime-${r.id}`, checked: true });
      input.addEventListener('change', () => {
        if (input.checked) shown.add(r.id); else shown.delete(r.id);
        changed();
      });
      box.append(el('label', { for: input.id, title: `${r.version} · sha256 ${r.sha256}` }, input, ` ${r.name} `, el('small', { text: r.jurisdiction })));
    }
  }

  // The engine travels gzipped; the browser inflates it (no request: a stream in memory).
  async function compile() {
    const gz = new Blob([bytesOf($('#juxta-engine').textContent)]);
    const raw = await new Response(gz.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
    return WebAssembly.compile(raw);
  }

  async function start() {
    try {
      module = await compile();
      const answer = startEngine();
      if (!answer.ok) throw new Error(answer.error);
      info = answer.ok;
    } catch (e) {
      statusLine.classList.add('failed');
      statusLine.textContent = `The engine did not start: ${e.message}. The juxta command (juxta compare) gives the same results.`;
      return;
    }
    shown = new Set(info.regimes.filter((r) => !r.error).map((r) => r.id));
    answers.set('evaluation.as_of', today());
    regimeChoices();
    buildForm();
    $('#open-file').addEventListener('change', (e) => { if (e.target.files[0]) openProfile(e.target.files[0]); e.target.value = ''; });
    $('#download-toml').addEventListener('click', () => download(`${stem()}.toml`, profileToml(), 'application/toml'));
    $('#export-html').addEventListener('click', () => exportAs('html', 'html', 'text/html'));
    $('#export-csv').addEventListener('click', () => exportAs('csv', 'csv', 'text/csv'));
    $('#export-ics').addEventListener('click', () => exportAs('ics', 'ics', 'text/calendar'));
    $('#export-json').addEventListener('click', () => exportAs('json', 'json', 'application/json'));
    $('#print').addEventListener('click', () => window.print());
    $('#clear').addEventListener('click', () => {
      if (answers.size > 1 && !window.confirm('Clear every answer? Download them first (TOML) to keep them.')) return;
      answers.clear();
      answers.set('evaluation.as_of', today());
      buildForm();
      evaluate();
    });
    evaluate();
  }

  start();
})();
