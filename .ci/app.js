// The offline app in a real browser: see .ci/app, which runs this.
//   node .ci/app.js CHROMIUM WORKDIR JUXTA PROFILE-LIST MODE
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [browserPath, work, juxta, listFile, mode] = process.argv.slice(2);
const page_url = `file://${work}/juxta.html`;
const profiles = fs.readFileSync(listFile, 'utf8').trim().split('\n').map((l) => {
  const [file, json] = l.split('\t');
  return { file, cli: JSON.parse(fs.readFileSync(json, 'utf8')) };
});

function fail(message) { throw new Error(message); }

function cli(args) {
  try {
    return execFileSync(juxta, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status === 3) return e.stdout; // a regime failed: the comparison is still written
    throw e;
  }
}

// What the CLI says of each rule, as the page shows it.
function expected(cmp) {
  const out = new Map();
  for (const r of cmp.regimes) {
    for (const f of r.rules || []) {
      out.set(f.id, { status: f.status.replace(/_/g, '-'), needs: f.missing_facts.join(' '), due: f.due || null });
    }
  }
  return out;
}

// What the page shows of each rule: its status, the facts its "answer" links ask for, its due
// date, all read from the DOM the browser built.
async function shown(page) {
  return page.$$eval('#results div.rule[data-rule]', (divs) => divs.map((d) => ({
    id: d.dataset.rule,
    status: d.dataset.status,
    label: (d.querySelector('.status') || {}).textContent || '',
    needs: Array.from(d.querySelectorAll('.answer-links button'), (b) => b.dataset.answer).join(' '),
    due: (d.querySelector('.due') || {}).textContent || null,
  })));
}

function compare(label, want, got) {
  const ids = new Set(got.map((r) => r.id));
  for (const id of want.keys()) if (!ids.has(id)) fail(`${label}: rule ${id} is not on the page`);
  if (got.length !== want.size) fail(`${label}: ${got.length} rules on the page, the CLI has ${want.size}`);
  for (const r of got) {
    const w = want.get(r.id);
    if (!w) fail(`${label}: the page shows ${r.id}, which the CLI does not`);
    if (r.status !== w.status) fail(`${label}: ${r.id} is ${r.status} on the page, ${w.status} in the CLI`);
    if (r.needs !== w.needs) fail(`${label}: ${r.id} needs "${r.needs}" on the page, "${w.needs}" in the CLI`);
    if (w.due && !(r.due || '').includes(w.due)) fail(`${label}: ${r.id} is due "${r.due}" on the page, ${w.due} in the CLI`);
    if (!w.due && r.due) fail(`${label}: ${r.id} shows "${r.due}", the CLI has no due date`);
  }
}

// Fills the questionnaire with a profile's facts by clicking and typing, as a person would.
async function fill(page, facts) {
  await page.click('#clear');
  const ordered = [...facts].sort((a, b) => (b.fact.includes('.') ? 0 : 1) - (a.fact.includes('.') ? 0 : 1));
  for (const f of ordered) {
    const q = page.locator(`.question[data-path="${f.fact}"]`);
    if (await q.count() !== 1) fail(`no question for ${f.fact}`);
    const type = await q.getAttribute('data-type');
    switch (type) {
      case 'presence':
        await q.locator(`input[type=radio][value="${f.value === true ? 'true' : ''}"]`).check();
        break;
      case 'bool':
        await q.locator(`input[type=radio][value="${f.value === true ? 'true' : f.value === false ? 'false' : ''}"]`).check();
        break;
      case 'enum':
        await q.locator('select').selectOption(String(f.value));
        break;
      case 'enum_list':
        if (f.value.length === 0) await q.locator('input[id$="-unknown"]').uncheck();
        for (const v of f.value) await q.locator(`input[type=checkbox][value="${v}"]`).check();
        break;
      case 'string_list':
        await q.locator('textarea').fill(f.value.join('\n'));
        break;
      case 'date':
        await q.locator('input').fill(f.exact);
        break;
      case 'money':
        fail(`${f.fact}: money facts are not in the sample yet`);
        break;
      default: {
        const input = q.locator('input');
        await input.fill('');
        await input.pressSequentially(f.exact);
      }
    }
  }
}

async function downloaded(page, button) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = path.join(work, `download-${Date.now()}-${d.suggestedFilename()}`);
  await d.saveAs(file);
  return file;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--proxy-server=127.0.0.1:9', '--proxy-bypass-list=<-loopback>'],
  });
  let requests = 0;
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests += 1;
    return route.abort();
  });
  const errors = [];
  const page = await context.newPage();
  page.on('request', (r) => { if (!/^(file|blob|data):/.test(r.url())) requests += 1; });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => d.accept()); // Clear asks before it clears
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(page_url);
  await page.waitForFunction(() => document.body.dataset.evaluations, null, { timeout: 30000 });

  // 1. Every profile, typed in: the page's answers are the CLI's; the TOML it writes gives the
  //    CLI the same answers.
  for (const p of profiles) {
    await fill(page, p.cli.facts);
    const problems = await page.$$eval('#problems li', (li) => li.map((x) => x.textContent));
    if (problems.length) fail(`${p.file}: the page refuses the answers: ${problems.join('; ')}`);
    compare(p.file, expected(p.cli), await shown(page));
    const toml = await downloaded(page, '#download-toml');
    const again = JSON.parse(cli(['compare', toml, '--format', 'json']));
    compare(`${p.file}, downloaded as TOML, in the CLI`, expected(p.cli), [...expected(again)].map(([id, r]) => ({ id, ...r, needs: r.needs })));
    console.log(`app: ${p.file}: ${p.cli.facts.length} answers typed, ${expected(p.cli).size} rules equal the CLI's, and so does the TOML it downloads`);
  }

  // 2. A profile opened from a file; its explanation, "answer it" links and exports.
  const example = 'examples/fine-tune.toml';
  await page.setInputFiles('#open-file', example);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened'));
  const cliExample = JSON.parse(cli(['compare', example, '--format', 'json']));
  compare(`${example}, opened`, expected(cliExample), await shown(page));
  const value = await page.inputValue('.question[data-path="derivation.modification_compute_flop"] input');
  if (value !== '9e24') fail(`opened: modification compute reads "${value}", not 9e24`);
  const rule = 'EU-CLS-PROVIDER';
  await page.click(`div.rule[data-rule="${rule}"] > details.why > summary`);
  const why = await page.textContent(`div.rule[data-rule="${rule}"] > details.why > pre.why-tree`);
  const theirs = cli(['explain', example, rule]);
  if (why.trim() !== theirs.trim()) fail(`the page explains ${rule} otherwise than juxta explain:\n${why}\n---\n${theirs}`);
  await page.locator('.question[data-path="derivation.modification_compute_flop"] input').fill('1e24');
  await page.waitForSelector(`div.rule[data-rule="${rule}"] > details.why[open] > pre.why-tree`);
  const whyAfter = await page.textContent(`div.rule[data-rule="${rule}"] > details.why > pre.why-tree`);
  if (!whyAfter.includes('1.00e24') || whyAfter === why) fail(`the open explanation did not follow the new answer:\n${whyAfter}`);
  await page.locator('.question[data-path="derivation.modification_compute_flop"] input').fill('9e24');
  for (const [button, format] of [['#export-csv', 'csv'], ['#export-ics', 'ics'], ['#export-html', 'html']]) {
    const file = await downloaded(page, button);
    const ours = fs.readFileSync(file, 'utf8');
    const cliText = cli(['compare', example, '--format', format]);
    const norm = (s) => s.replace(/juxta · [^<\n]*/g, 'juxta · X').replace(/fine-tune\.toml|thameside-cpt-2\.toml/g, 'P');
    if (format !== 'html' && norm(ours) !== norm(cliText)) fail(`the page's ${format} export differs from juxta compare --format ${format}`);
    if (format === 'html' && !ours.includes('<table class="regimes"')) fail('the HTML export is not the report');
  }
  console.log(`app: ${example} opened from a file equals the CLI; "why" is juxta explain's text; CSV and ICS exports equal the CLI's`);

  await page.click('#clear');
  const link = page.locator('.answer-links button[data-answer="model.training_compute_flop"]').first();
  await link.click();
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest('.question') && document.activeElement.closest('.question').dataset.path);
  if (focused !== 'model.training_compute_flop') fail(`"answer model.training_compute_flop" focused ${focused}`);
  await page.keyboard.type('3e25');
  const after = await shown(page);
  const still = after.filter((r) => r.needs.split(' ').includes('model.training_compute_flop'));
  if (still.length) fail(`after typing the compute, ${still.map((r) => r.id).join(', ')} still need it`);
  console.log('app: an undetermined rule\'s "answer" link focuses its question; typing the answer re-evaluates');

  // 3. Invalid answers get the CLI's message at the field.
  const compute = page.locator('.question[data-path="model.training_compute_flop"] input');
  await compute.fill('lots');
  const problem = await page.textContent('.question[data-path="model.training_compute_flop"] .problem');
  const cliProblem = (() => {
    const f = path.join(work, 'bad.toml');
    fs.writeFileSync(f, 'schema_version = "1.2"\n[evaluation]\nas_of = 2026-12-01\n[model]\ntraining_compute_flop = "lots"\n');
    try { execFileSync(juxta, ['compare', f], { stdio: 'pipe' }); return ''; } catch (e) { return e.stderr.toString(); }
  })();
  if (!problem || !cliProblem.includes(problem.split(' (')[0])) fail(`the page says "${problem}"; the CLI says:\n${cliProblem}`);
  console.log(`app: an invalid answer gets the CLI's message at its field: "${problem}"`);

  // An opened file that is not a valid profile (one with a key no selector could hold) is
  // refused with the command's messages and their lines; the answers stay as they were.
  const hostile = path.join(work, 'hostile.toml');
  fs.writeFileSync(hostile, 'schema_version = "1.2"\n[evaluation]\nas_of = 2026-12-01\n[model]\n"we\\"ird]" = 1\ntraining_compute_flop = -4\n');
  const answered = await page.inputValue('.question[data-path="model.training_compute_flop"] input');
  await page.setInputFiles('#open-file', hostile);
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('could not be opened'));
  const refused = await page.textContent('#problems');
  if (!/line 5/.test(refused) || !/line 6/.test(refused)) fail(`the refused file's problems lack their lines: ${refused}`);
  if (await page.inputValue('.question[data-path="model.training_compute_flop"] input') !== answered) fail('a refused file changed the answers');
  console.log('app: a file that is not a valid profile is refused with its lines; the answers stay');

  // 4. The keyboard alone: Tab reaches the toolbar and the questions, and answers them.
  await page.goto(page_url);
  await page.waitForFunction(() => document.body.dataset.evaluations);
  const reached = [];
  for (let i = 0; i < 400; i += 1) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement.id);
    reached.push(id);
    if (id === 'q-model--training_compute_flop') break;
  }
  for (const id of ['download-toml', 'export-html', 'q-evaluation--as_of', 'q-provider--name', 'q-model--training_compute_flop']) {
    if (!reached.includes(id)) fail(`Tab never reached #${id} (reached ${reached.slice(0, 30).join(', ')}…)`);
  }
  const before = Number(await page.getAttribute('body', 'data-evaluations'));
  await page.keyboard.type('1e26');
  const evaluated = Number(await page.getAttribute('body', 'data-evaluations'));
  if (evaluated <= before) fail('typing with the keyboard did not re-evaluate');
  console.log(`app: the keyboard alone reaches the toolbar and the questions (${reached.length} tabs) and answers them`);

  // 5. Every width: no sideways scroll; screenshots.
  for (const width of [1400, 390]) {
    const p = await context.newPage();
    await p.setViewportSize({ width, height: width > 900 ? 1000 : 844 });
    await p.goto(page_url);
    await p.waitForFunction(() => document.body.dataset.evaluations);
    await p.setInputFiles('#open-file', 'examples/closed-frontier.toml');
    await p.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened'));
    const m = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    if (m.scroll > m.inner) fail(`the app at ${width}px scrolls sideways: ${m.scroll} > ${m.inner}`);
    await p.screenshot({ path: `${work}/app-${width}.png` });
    console.log(`app at ${width}px: no sideways scroll`);
    await p.close();
  }

  // 6. Accessibility: axe-core, every WCAG 2 A and AA rule (axe is injected past the policy,
  //    which would rightly refuse it).
  const a11y = await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
  const ap = await a11y.newPage();
  await ap.goto(page_url);
  await ap.waitForFunction(() => document.body.dataset.evaluations);
  await ap.setInputFiles('#open-file', example);
  await ap.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened'));
  await ap.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const axe = await ap.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }));
  if (axe.violations.length) {
    fail(`axe-core: ${axe.violations.map((v) => `${v.id} (${v.nodes.length}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`).join('; ')}`);
  }
  const unlabelled = await ap.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
    .map((e) => e.id));
  if (unlabelled.length) fail(`inputs without a label: ${unlabelled.join(', ')}`);
  console.log(`app: axe-core finds no WCAG 2 A/AA violation (${axe.passes.length} rules pass); every input has a label`);
  await a11y.close();

  // 7. Budgets (BENCHMARKS.md), measured, never asserted here.
  if (mode === 'bench') {
    const weight = fs.statSync(`${work}/juxta.html`).size;
    const firsts = [];
    for (let i = 0; i < 7; i += 1) {
      const p = await context.newPage();
      await p.goto(page_url);
      await p.waitForFunction(() => document.body.dataset.evaluations);
      firsts.push(Number(await p.getAttribute('body', 'data-first-result-ms')));
      await p.close();
    }
    // The baseline, in the same run: the same browser opening the static HTML report of the
    // same profile (no script, no engine), to its load event.
    fs.writeFileSync(path.join(work, 'report.html'), cli(['compare', 'examples/closed-frontier.toml', '--format', 'html']));
    const statics = [];
    for (let i = 0; i < 7; i += 1) {
      const q = await context.newPage();
      await q.goto(`file://${work}/report.html`, { waitUntil: 'load' });
      statics.push(await q.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd));
      await q.close();
    }
    const p = await context.newPage();
    await p.goto(page_url);
    await p.waitForFunction(() => document.body.dataset.evaluations);
    await p.setInputFiles('#open-file', 'examples/closed-frontier.toml');
    await p.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened'));
    // One re-evaluation: an answer changes, the engine compares (`engine`), the page shows
    // the new report (`script`), the browser lays it out (`frame`: forced here, as the next
    // frame would). Alternating answers, so that every evaluation changes the report.
    const runs = await p.evaluate(() => {
      const input = document.querySelector('.question[data-path="model.training_compute_flop"] input');
      const out = { engine: [], script: [], frame: [] };
      for (let i = 0; i < 70; i += 1) {
        const t0 = performance.now();
        input.value = i % 2 ? '3e25' : '5e24';
        input.dispatchEvent(new Event('input'));
        void document.body.offsetHeight;
        out.frame.push(performance.now() - t0);
        out.engine.push(Number(document.body.dataset.engineMs));
        out.script.push(Number(document.body.dataset.lastMs));
      }
      for (const k of Object.keys(out)) out[k] = out[k].slice(10);
      return out;
    });
    const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
    const p90 = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length * 0.9)]; };
    console.log(JSON.stringify({
      page_bytes: weight,
      first_result_ms: { median: median(firsts), runs: firsts },
      static_report_load_ms: { median: median(statics), runs: statics },
      reevaluation_ms: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { median: median(v), p90: p90(v) }])),
      reevaluation_runs: runs.frame.length,
    }));
  }

  await browser.close();

  // 8. Served over HTTP (an intranet host): the one request is the page itself.
  const http = process.env.JUXTA_APP_HTTP;
  if (http) {
    const served = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
    const seen = [];
    const sp = await served.newPage();
    sp.on('request', (r) => seen.push(r.url()));
    sp.on('pageerror', (e) => errors.push(e.message));
    await sp.goto(http);
    await sp.waitForFunction(() => document.body.dataset.evaluations);
    await sp.setInputFiles('#open-file', example);
    await sp.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened'));
    await sp.waitForTimeout(500);
    await served.close();
    const log = fs.readFileSync(path.join(work, 'http.log'), 'utf8').trim().split('\n').filter((l) => l.includes('GET'));
    if (seen.length !== 1 || log.length !== 1) fail(`served over HTTP, the page made requests: ${seen.join(', ')}; the server saw: ${log.join(' | ')}`);
    console.log('app: served over HTTP it works, and the server sees one request: the page');
  }
  if (errors.length) fail(`the page reported errors: ${errors.join('; ')}`);
  if (requests > 0) fail(`${requests} network requests left the page`);
  console.log('app: no network request; no error in the console');
})().catch((e) => { console.error(e.message || e); process.exit(1); });
