// The PCGD dashboard: plain JavaScript, no framework, no build step, nothing
// loaded from anywhere but this host (docs/service.md, Dashboard).
//
// Every figure comes from the API: the reports' JSON as the CLI prints it.
// The page only formats it (Intl, as the CLI's text output does) and draws
// it. The token stays in this tab's sessionStorage; a "#token=..." fragment
// (never sent to the server) signs in and is then removed from the address.
'use strict';

(function () {
  const I18N = {
    en: {
      app_title: 'PCGD dashboard', language: 'Language', sign_out: 'Sign out', sign_in_title: 'Sign in',
      token_label: 'API token', sign_in: 'Sign in',
      token_help: 'Your account manager or administrator gives you a token (pcgd token create). It stays in this tab only.',
      sme: 'SME', month: 'Month', view_shops: 'Shops', view_quality: 'Quality', view_opportunities: 'Opportunities',
      view_planning: 'Planning', view_growth: 'Growth', loading: 'Loading…',
      token_refused: 'The token was refused (unknown, revoked or malformed). Sign in again.',
      token_missing: 'Enter a token.', no_sme: 'This token may read no SME.',
      signed_in_as: (role, subject) => 'Signed in: ' + role + (subject ? ' ' + subject : ''),
      shop: 'Shop', platform: 'Platform', country: 'Country', currency: 'Currency', products: 'Products',
      orders: 'Orders', traffic: 'Traffic', inventory: 'Inventory',
      sync_of: (d) => 'Sync: ' + d, last_success: 'last success', never: 'never synced', last_error: 'last error',
      schedule: 'Schedule', sched_idle: 'idle', sched_queued: 'queued', sched_running: 'syncing now',
      sched_backing_off: 'backing off after failures', next_run: 'next run', lag: 'data age',
      failures: (n) => n + ' failure(s) in a row', sync_now: 'Sync now', sync_queued: (id) => 'Sync ' + id + ' queued.',
      connect_link: 'Connect link', connect_sent: (d) => 'Send this link to the shop\u2019s owner (valid once, until ' + d + '):',
      no_shops: 'No shop yet.', no_rows: 'No rows.', warnings: 'Warnings', definitions: 'Definitions',
      scope: 'Scope', rates: 'Exchange rates used',
      chart_orders: 'Orders per month', chart_sales: 'Sales per month', chart_profit: 'Profit per month',
      chart_channels: 'Sales per month and channel', projection: 'projection',
      projection_note: (m) => 'The hatched bar is the projection for ' + m + ', not an actual figure; its line is the likely range.',
      profit_unknown: 'unknown (a cost is missing)',
      tier_other: 'Other products', error: 'Error: ',
      view_programme: 'Programme', programme_phase: 'Phase', reviews_held: 'Reviews held', checkins: 'Check-ins',
      sessions: 'Sessions', session: 'Session', kind: 'Kind', held_on: 'Held on', by: 'By', show: 'Show',
      key_questions: 'Key questions', no_answer: '(no answer recorded)', conclusions: 'Conclusions of the joint review',
      notes: 'Notes', data_shown: 'The figures shown then', changes: 'How the figures moved since the previous session',
      first_session: 'No earlier session to compare with.', figure: 'Figure', before: 'Before', after: 'After',
      change: 'Change', sales: 'Sales', profit: 'Profit', views: 'Views', units: 'Units', total: 'Total',
      channels: 'Channels', actions: 'Actions', action: 'Action', owner: 'Owner', due: 'Due', status: 'Status',
      note: 'Note', save: 'Save', saved: (by, at) => 'Updated by ' + by + ', ' + at, none: 'None.',
      training: 'Training per tool', tool: 'Tool', trained: 'Trained', yes: 'yes', no: 'no', date: 'Date',
      trainer: 'Trainer', confidence: 'Confidence', follow_up: 'Follow-up',
      goals: 'Goals', metric: 'Metric', value: 'Value', target: 'Target', percent: 'Percent', state: 'State',
      obstacles: 'Obstacles', plan_title: 'New-market entry plan', target_market: 'Target market', summary: 'Summary',
      plan_date: 'Plan date', plan_review: 'Plan review', period_before: 'Before', period_after: 'After',
      no_sessions: 'No session yet.', unknown: 'unknown', products_changes: 'Products',
      record_session: 'Record a session', held_at: 'Held on (empty: now)', record: 'Record',
      actions_agreed: 'Actions agreed (one title per line)', edit: 'Edit', date_or_today: 'Date (empty: today)',
      trainer_is: (s) => 'Trainer: ' + s + ' (this token)', add: 'Add', add_obstacle: 'Add an obstacle',
      add_goal: 'Add a goal', goal_shop: 'Shop (for a channel\u2019s orders or a quality score)', whole_sme: '(the whole SME)',
      goal_target: 'Target (an amount such as 2500.00, a margin such as 32.5, or a whole number)',
      draft_plan: 'Draft the plan from the tools', edit_plan: 'Edit the plan', channel: 'Channel', segment: 'Segment',
      add_action: 'Add an action', title: 'Title', owner_name: 'Owner\u2019s name',
    },
    fr: {
      app_title: 'Tableau de bord PCGD', language: 'Langue', sign_out: 'Se déconnecter', sign_in_title: 'Connexion',
      token_label: 'Jeton d’API', sign_in: 'Se connecter',
      token_help: 'Votre chargé de compte ou l’administrateur vous donne un jeton (pcgd token create). Il reste dans cet onglet seulement.',
      sme: 'PME', month: 'Mois', view_shops: 'Boutiques', view_quality: 'Qualité', view_opportunities: 'Opportunités',
      view_planning: 'Planification', view_growth: 'Croissance', loading: 'Chargement…',
      token_refused: 'Le jeton a été refusé (inconnu, révoqué ou mal formé). Reconnectez-vous.',
      token_missing: 'Saisissez un jeton.', no_sme: 'Ce jeton ne peut lire aucune PME.',
      signed_in_as: (role, subject) => 'Connecté\u00A0: ' + role + (subject ? ' ' + subject : ''),
      shop: 'Boutique', platform: 'Plateforme', country: 'Pays', currency: 'Devise', products: 'Produits',
      orders: 'Commandes', traffic: 'Trafic', inventory: 'Stock',
      sync_of: (d) => 'Synchro\u00A0: ' + d, last_success: 'dernier succès', never: 'jamais synchronisé', last_error: 'dernière erreur',
      schedule: 'Planification', sched_idle: 'en attente', sched_queued: 'dans la file', sched_running: 'synchronisation en cours',
      sched_backing_off: 'pause après des échecs', next_run: 'prochaine synchro', lag: 'âge des données',
      failures: (n) => n + ' échec(s) de suite', sync_now: 'Synchroniser', sync_queued: (id) => 'Synchro ' + id + ' en file.',
      connect_link: 'Lien de connexion', connect_sent: (d) => 'Envoyez ce lien au propriétaire de la boutique (une fois, jusqu\u2019au ' + d + ')\u00A0:',
      no_shops: 'Aucune boutique pour l’instant.', no_rows: 'Aucune ligne.', warnings: 'Attention', definitions: 'Définitions',
      scope: 'Périmètre', rates: 'Taux de change utilisés',
      chart_orders: 'Commandes par mois', chart_sales: 'Ventes par mois', chart_profit: 'Profit par mois',
      chart_channels: 'Ventes par mois et par canal', projection: 'projection',
      projection_note: (m) => 'La barre hachurée est la projection pour ' + m + ', pas un chiffre réel ; son trait donne la fourchette probable.',
      profit_unknown: 'inconnu (un coût manque)',
      tier_other: 'Autres produits', error: 'Erreur\u00A0: ',
      view_programme: 'Programme', programme_phase: 'Phase', reviews_held: 'Examens tenus', checkins: 'Points informels',
      sessions: 'Sessions', session: 'Session', kind: 'Type', held_on: 'Tenue le', by: 'Par', show: 'Afficher',
      key_questions: 'Questions clés', no_answer: '(pas de réponse enregistrée)', conclusions: 'Conclusions de l’examen conjoint',
      notes: 'Notes', data_shown: 'Les chiffres montrés alors', changes: 'Évolution des chiffres depuis la session précédente',
      first_session: 'Aucune session antérieure à comparer.', figure: 'Indicateur', before: 'Avant', after: 'Après',
      change: 'Variation', sales: 'Ventes', profit: 'Profit', views: 'Vues', units: 'Unités', total: 'Total',
      channels: 'Canaux', actions: 'Actions', action: 'Action', owner: 'Responsable', due: 'Échéance', status: 'Statut',
      note: 'Note', save: 'Enregistrer', saved: (by, at) => 'Mis à jour par ' + by + ', ' + at, none: 'Aucune.',
      training: 'Formation par outil', tool: 'Outil', trained: 'Formé', yes: 'oui', no: 'non', date: 'Date',
      trainer: 'Formateur', confidence: 'Confiance', follow_up: 'Suivi',
      goals: 'Objectifs', metric: 'Indicateur', value: 'Valeur', target: 'Cible', percent: 'Pourcentage', state: 'État',
      obstacles: 'Obstacles', plan_title: 'Plan d’entrée sur le nouveau marché', target_market: 'Marché cible', summary: 'Résumé',
      plan_date: 'Date du plan', plan_review: 'Bilan du plan', period_before: 'Avant', period_after: 'Après',
      no_sessions: 'Aucune session pour l’instant.', unknown: 'inconnu', products_changes: 'Produits',
      record_session: 'Enregistrer une session', held_at: 'Tenue le (vide\u00A0: maintenant)', record: 'Enregistrer',
      actions_agreed: 'Actions convenues (un intitulé par ligne)', edit: 'Modifier', date_or_today: 'Date (vide\u00A0: aujourd’hui)',
      trainer_is: (s) => 'Formateur\u00A0: ' + s + ' (ce jeton)', add: 'Ajouter', add_obstacle: 'Ajouter un obstacle',
      add_goal: 'Ajouter un objectif', goal_shop: 'Boutique (pour les commandes d’un canal ou un score de qualité)', whole_sme: '(toute la PME)',
      goal_target: 'Cible (un montant tel que 2500.00, une marge telle que 32.5, ou un nombre entier)',
      draft_plan: 'Rédiger le plan à partir des outils', edit_plan: 'Modifier le plan', channel: 'Canal', segment: 'Segment',
      add_action: 'Ajouter une action', title: 'Intitulé', owner_name: 'Nom du responsable',
    },
  };
  const LOCALE = { en: 'en-GB', fr: 'fr-FR' };
  // Opportunity classes in the API's words, both languages: best first.
  const TIER_RANK = { strong: 0, forte: 0, good: 1, bonne: 1, potential: 2, potentielle: 2 };

  const state = {
    token: '', lang: 'en', me: null, smes: [], sme: '', month: '', view: 'shops', session: null, serial: 0, loginMessage: null,
    recorded: 0,  // records saved from the page: the view shows it once drawn again (the browser test waits on it)
  };

  const $ = (id) => document.getElementById(id);
  const t = (key) => I18N[state.lang][key];

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children || []) if (c) e.append(c);
    return e;
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children || []) if (c) e.append(c);
    return e;
  }

  // ---- Formatting: the CLI's text format, through Intl ----------------------

  function locale() { return LOCALE[state.lang]; }

  function fractionDigits(currency) {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  }

  // Exact: the minor units become a decimal string, never a float.
  function formatMoney(money) {
    const digits = fractionDigits(money.currency);
    const negative = money.minor < 0;
    let s = String(Math.abs(money.minor)).padStart(digits + 1, '0');
    if (digits > 0) s = s.slice(0, -digits) + '.' + s.slice(-digits);
    const nf = new Intl.NumberFormat(locale(), {
      style: 'currency', currency: money.currency, currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    });
    return nf.format((negative ? '-' : '') + s);
  }

  function formatInteger(n) { return new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(n); }

  function formatPercent(p) {
    const n = new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(p);
    return state.lang === 'fr' ? n + '\u00A0%' : n + '%';
  }

  // The CLI's month names (analysis/report.cpp), so that "Sep 2026" reads
  // the same here and in a printed report (Intl's en-GB says "Sept").
  const MONTHS = {
    en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
    fr: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'],
  };

  function formatMonth(ym) {
    const [y, m] = ym.split('-').map(Number);
    return MONTHS[state.lang][m - 1] + ' ' + y;
  }

  function formatDay(ymd) {
    const [y, m, d] = ymd.split('-').map(Number);
    return d + ' ' + MONTHS[state.lang][m - 1] + ' ' + y;
  }

  // "Label: " in English, "Label : " in French (no-break space before the colon).
  function colon(label) { return label + (state.lang === 'fr' ? '\u00A0: ' : ': '); }

  function formatInstant(iso) {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
      .format(new Date(iso)) + ' UTC';
  }

  function isMoney(v) { return v !== null && typeof v === 'object' && 'minor' in v && 'currency' in v; }

  // A report cell as text. Percent columns end in _pct (report.cpp's keys).
  function formatCell(key, v) {
    if (v === null || v === undefined) return '-';
    if (isMoney(v)) return formatMoney(v);
    if (typeof v === 'number') return key.endsWith('_pct') ? formatPercent(v) : formatInteger(v);
    if (typeof v === 'string' && /^\d{4}-\d{2}$/.test(v) && key === 'month') return formatMonth(v);
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && key === 'date') return formatDay(v);
    return String(v);
  }

  // ---- The API ----------------------------------------------------------------

  class Unauthorized extends Error {}
  // A refusal with the API's own message and the HTTP status.
  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  async function send(method, path, params, body) {
    const query = new URLSearchParams(params || {}).toString();
    const headers = { Authorization: 'Bearer ' + state.token, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path + (query ? '?' + query : ''), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
    });
    if (response.status === 401) throw new Unauthorized();
    const answer = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError((answer && answer.error) || response.status + ' ' + response.statusText, response.status);
    return answer;
  }

  function api(path, params) { return send('GET', path, params); }

  function report(tool) {
    return api('/api/reports/' + tool, { sme: state.sme, month: state.month, lang: state.lang });
  }

  // ---- Sign in and out ------------------------------------------------------------

  // `message`: a key of I18N (so that it follows a language switch), with an optional detail.
  function showLogin(message, detail) {
    state.token = '';
    state.me = null;
    sessionStorage.removeItem('pcgd.token');
    $('app').hidden = true;
    $('sign-out').hidden = true;
    $('who').textContent = '';
    $('login').hidden = false;
    state.loginMessage = message ? { key: message, detail: detail || '' } : null;
    showLoginMessage();
    $('token').value = '';
    $('token').focus();
  }

  function showLoginMessage() {
    const m = state.loginMessage;
    $('login-message').textContent = m ? t(m.key) + m.detail : '';
  }

  async function signIn(token) {
    state.token = token;
    try {
      state.me = await api('/api/me');
      state.smes = await api('/api/smes');
    } catch (e) {
      if (e instanceof Unauthorized) return showLogin('token_refused');
      return showLogin('error', e.message);
    }
    sessionStorage.setItem('pcgd.token', token);
    $('login').hidden = true;
    $('app').hidden = false;
    $('sign-out').hidden = false;
    const remembered = sessionStorage.getItem('pcgd.sme');
    state.sme = state.smes.some((s) => s.id === remembered) ? remembered : (state.smes[0] || {}).id || '';
    fillSmePicker();
    fillMonths();
    translatePage();
    await render();
  }

  // ---- Page furniture ---------------------------------------------------------------

  function translatePage() {
    document.documentElement.lang = state.lang;
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
    $('views').setAttribute('aria-label', state.lang === 'fr' ? 'Vues' : 'Views');
    if (state.me) $('who').textContent = t('signed_in_as')(state.me.role, state.me.subject);
    for (const b of document.querySelectorAll('#views button'))
      b.setAttribute('aria-current', b.dataset.view === state.view ? 'page' : 'false');
    const keep = state.month;
    fillMonths();
    $('month').value = keep;
  }

  function fillSmePicker() {
    const select = $('sme');
    select.replaceChildren(...state.smes.map((s) => el('option', { value: s.id, text: s.name + ' (' + s.id + ')' })));
    select.value = state.sme;
    $('sme-picker').hidden = state.smes.length < 2;
    const current = state.smes.find((s) => s.id === state.sme);
    $('sme-name').textContent = state.smes.length === 1 && current ? current.name : '';
  }

  // The 24 months up to the last full one: the reports' default month.
  function fillMonths() {
    const now = new Date();
    const options = [];
    for (let i = 1; i <= 24; i++) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
      const ym = d.getUTCFullYear() + '-' + String(d.getUTCMonth() + 1).padStart(2, '0');
      options.push(el('option', { value: ym, text: formatMonth(ym) }));
    }
    $('month').replaceChildren(...options);
    if (!state.month) state.month = options[0].value;
    $('month').value = state.month;
  }

  // ---- Rendering ------------------------------------------------------------------------

  async function render() {
    const serial = ++state.serial;  // a slower, older answer must not overwrite a newer one
    const view = $('view');
    view.setAttribute('aria-busy', 'true');
    $('status').textContent = t('loading');
    for (const b of document.querySelectorAll('#views button'))
      b.setAttribute('aria-current', b.dataset.view === state.view ? 'page' : 'false');
    if (!state.sme) {
      view.replaceChildren(el('p', { text: t('no_sme') }));
      $('status').textContent = '';
      view.removeAttribute('aria-busy');
      return;
    }
    let content;
    try {
      content = await VIEWS[state.view]();
    } catch (e) {
      if (serial !== state.serial) return;
      if (e instanceof Unauthorized) return showLogin('token_refused');
      content = el('p', { class: 'error', role: 'alert', text: t('error') + e.message });
    }
    if (serial !== state.serial) return;
    view.replaceChildren(content);
    view.dataset.view = state.view;
    view.dataset.lang = state.lang;
    view.dataset.month = state.month;
    view.dataset.sme = state.sme;
    view.dataset.recorded = String(state.recorded);
    view.removeAttribute('aria-busy');
    $('status').textContent = '';
  }

  function sectionTable(key, section, columns, rows) {
    const cols = columns || section.columns;
    const body = (rows || section.rows).map((row) => el('tr', {}, cols.map((c, i) => {
      const v = row[c.key];
      const numeric = typeof v === 'number' || isMoney(v);
      const attrs = { 'data-col': c.key, class: numeric ? 'num' : (v === null ? 'unknown' : undefined) };
      return i === 0 ? el('th', Object.assign({ scope: 'row' }, attrs), [formatCell(c.key, v)])
        : el('td', attrs, [formatCell(c.key, v)]);
    })));
    if (body.length === 0) return el('p', { class: 'empty', text: t('no_rows') });
    return el('div', { class: 'table-wrap' }, [
      el('table', { 'data-section': key }, [
        el('thead', {}, [el('tr', {}, cols.map((c) => el('th', { scope: 'col', 'data-col': c.key, text: c.label })))]),
        el('tbody', {}, body),
      ]),
    ]);
  }

  function renderSection(key, section) {
    return el('section', { class: 'report-section', 'data-section': key }, [
      el('h3', { text: section.title }),
      sectionTable(key, section),
      section.notes.length ? el('ul', { class: 'notes' }, section.notes.map((n) => el('li', { text: n }))) : null,
    ]);
  }

  function reportHeader(r) {
    const parts = [el('h2', { text: r.title }),
      el('p', { class: 'scope', text: colon(t('scope')) + r.scope.name + (r.month ? ' · ' + formatMonth(r.month) : '') + ' · ' + r.currency })];
    if (r.warnings.length)
      parts.push(el('div', { class: 'warnings', role: 'note' }, [
        el('strong', { text: t('warnings') }), el('ul', {}, r.warnings.map((w) => el('li', { text: w })))]));
    return parts;
  }

  function reportFooter(r) {
    const defs = el('details', { class: 'definitions' }, [el('summary', { text: t('definitions') }),
      el('dl', {}, Object.entries(r.definitions).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]))]);
    const out = [defs];
    if (r.rates.length)
      out.push(el('details', {}, [el('summary', { text: t('rates') + ' (' + r.rates.length + ')' }),
        el('ul', {}, r.rates.map((x) => el('li', { text: colon(formatDay(x.date)) + '1 ' + x.from + ' = ' + x.rate + ' ' + x.to })))]));
    return out;
  }

  function reportView(r, middle) {
    return el('article', { 'data-tool': r.tool }, [...reportHeader(r), ...middle, ...reportFooter(r)]);
  }

  // ---- Charts: inline SVG, drawn here ------------------------------------------------------

  let chartSerial = 0;

  // Bars per month; `projection` (optional) adds a hatched bar with its range.
  function barChart(title, points, format, projection) {
    const id = 'chart-' + (++chartSerial);
    const all = points.map((p) => p.value).filter((v) => v !== null);
    if (projection) all.push(projection.value, projection.low, projection.high);
    const max = Math.max(0, ...all), min = Math.min(0, ...all);
    const span = max - min || 1;
    const n = points.length + (projection ? 1 : 0);
    const W = 480, H = 240, left = 8, right = 8, top = 24, bottom = 36;
    const slot = (W - left - right) / n, barW = Math.max(4, slot * 0.7);
    const y = (v) => top + (max - v) / span * (H - top - bottom);
    const children = [svg('title', { id: id + '-title', text: title })];
    if (projection) {
      children.push(svg('defs', {}, [svg('pattern', { id: id + '-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
        [svg('rect', { width: 6, height: 6, class: 'hatch-bg' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' })])]));
    }
    children.push(svg('line', { x1: left, x2: W - right, y1: y(0), y2: y(0), class: 'axis' }));
    children.push(svg('text', { x: left, y: 12, class: 'axis-label', text: format(max) }));
    const bar = (i, value, label, cls, tip) => {
      const x = left + i * slot + (slot - barW) / 2;
      const g = svg('g', { class: cls }, [svg('title', { text: tip })]);
      if (value !== null) {
        g.append(svg('rect', { x, width: barW, y: Math.min(y(value), y(0)), height: Math.max(1, Math.abs(y(value) - y(0))) }));
      }
      g.append(svg('text', { x: x + barW / 2, y: H - 18, class: 'tick', 'text-anchor': 'middle', text: label }));
      return g;
    };
    points.forEach((p, i) => children.push(bar(i, p.value, p.short, p.value < 0 ? 'bar negative' : 'bar',
      p.label + ': ' + (p.value === null ? t('profit_unknown') : format(p.value)))));
    if (projection) {
      const i = points.length;
      const g = bar(i, projection.value, projection.short, 'bar projection',
        projection.label + ' (' + t('projection') + '): ' + format(projection.value) + ' [' + format(projection.low) + ' – ' + format(projection.high) + ']');
      g.querySelector('rect').setAttribute('fill', 'url(#' + id + '-hatch)');
      const cx = left + i * slot + slot / 2;
      g.append(svg('line', { x1: cx, x2: cx, y1: y(projection.low), y2: y(projection.high), class: 'range' }));
      // Right-aligned under the last bar, so that the word is never clipped.
      g.append(svg('text', { x: W - right, y: H - 4, class: 'tick projection-label', 'text-anchor': 'end', text: t('projection') }));
      children.push(g);
    }
    const figure = el('figure', { class: 'chart' }, [
      svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-labelledby': id + '-title' }, children),
      el('figcaption', { text: title }),
    ]);
    if (projection) figure.append(el('p', { class: 'chart-note', text: t('projection_note')(projection.label) }));
    return figure;
  }

  // One line per channel (shop), with a legend.
  function lineChart(title, months, series, format) {
    const id = 'chart-' + (++chartSerial);
    const W = 480, H = 240, left = 8, right = 8, top = 24, bottom = 26;
    const values = series.flatMap((s) => s.values);
    const max = Math.max(0, ...values) || 1;
    const x = (i) => left + (months.length < 2 ? 0 : i * (W - left - right) / (months.length - 1));
    const y = (v) => top + (max - v) / max * (H - top - bottom);
    const children = [svg('title', { id: id + '-title', text: title }),
      svg('line', { x1: left, x2: W - right, y1: y(0), y2: y(0), class: 'axis' }),
      svg('text', { x: left, y: 12, class: 'axis-label', text: format(max) })];
    months.forEach((m, i) => {
      if (i % 2 === 0 || i === months.length - 1)
        children.push(svg('text', { x: x(i), y: H - 6, class: 'tick', 'text-anchor': i === 0 ? 'start' : (i === months.length - 1 ? 'end' : 'middle'), text: m.short }));
    });
    series.forEach((s, k) => {
      children.push(svg('polyline', { class: 'series series-' + (k % 6), points: s.values.map((v, i) => x(i) + ',' + y(v)).join(' ') },
        [svg('title', { text: s.name })]));
    });
    const legend = el('ul', { class: 'legend' }, series.map((s, k) => el('li', {}, [
      el('span', { class: 'swatch series-' + (k % 6), 'aria-hidden': 'true' }), s.name])));
    return el('figure', { class: 'chart' }, [
      svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-labelledby': id + '-title' }, children),
      el('figcaption', { text: title }), legend]);
  }

  function shortMonth(ym) {
    const [y, m] = ym.split('-').map(Number);
    return new Intl.DateTimeFormat(locale(), { month: 'narrow', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)))
      + (m === 1 ? String(y).slice(2) : '');
  }

  // ---- The coaching programme ------------------------------------------------------------------

  // The API gives keys; their labels, copied from host/src/coaching/texts.cpp
  // (the French of the key questions is the programme report's own wording).
  const TERMS = {
    question: {
      on_track: ['Are you on track with your plan?', 'Êtes-vous sur la bonne voie avec votre plan ?'],
      agree_with_plan: ['Do you still agree with the plan you set?', 'Êtes-vous d\'accord avec le plan que vous avez établi ?'],
      holding_back: ['What distracts or holds you back? What worries you?', 'Qu\'est-ce qui vous distrait ou vous retient ? Qu\'est-ce qui vous inquiète ?'],
      new_opportunities: ['What new opportunities have you found or are you working on?', 'Quelles nouvelles opportunités avez-vous identifiées ou travaillez-vous actuellement ?'],
      new_market_progress: ['How do you judge your progress towards a new market?', 'Comment évaluez-vous vos progrès concernant l\'entrée sur un nouveau marché ?'],
      coaching_impact: ['How is the coaching supporting you, and what is its impact on the business?', 'Comment E-Channel vous soutient-il / quel impact le processus de conseil E-Channel a-t-il sur votre entreprise ?'],
    },
    area: {
      marketing: ['Marketing', 'Marketing'], products: ['Products', 'Produits'], pricing: ['Pricing', 'Tarification'],
      export: ['Export', 'Exportation'], operations: ['Operations', 'Opérations commerciales'],
    },
    obstacle: {
      external_shock: ['External shock (Brexit, pandemic...)', 'Choc extérieur (Brexit, pandémie...)'],
      outside_expertise: ['Dependence on outside expertise for technical tasks', 'Dépendance à l\'égard de l\'expertise extérieure pour les tâches techniques'],
      data_skills: ['Missing knowledge of using data for business decisions', 'Manque de connaissances sur l\'utilisation des données pour les décisions commerciales'],
      slowed_growth: ['Business decision to slow growth in an area', 'Décision commerciale de réduire la croissance dans un domaine'],
    },
    tool: {
      quality: ['Inventory quality', 'Gestion des inventaires'], opportunities: ['Market evaluation', 'Évaluation du marché'],
      planning: ['Activity planning', 'Planification des activités'], growth: ['Business growth', 'Croissance de l\'entreprise'],
    },
    owner: {
      sme_staff: ['SME\'s own staff', 'Ressources internes de la PME'], external: ['Paid external work', 'Travail externe rémunéré'],
      account_manager: ['Account manager\'s further investigation', 'Enquête approfondie du gestionnaire de compte'],
    },
    status: {
      planned: ['Planned', 'Prévue'], in_progress: ['In progress', 'En cours'], done: ['Done', 'Réalisée'],
      rejected: ['Rejected by business decision', 'Rejetée par décision commerciale'],
      deferred: ['Deferred beyond the programme', 'Reportée après le programme'],
    },
    metric: {
      monthly_sales: ['Monthly sales', 'Ventes mensuelles'], channel_orders: ['A channel\'s monthly orders', 'Commandes mensuelles d\'un canal'],
      quality_score: ['Shop quality score', 'Score de qualité de la boutique'], margin: ['Monthly margin', 'Marge mensuelle'],
    },
    session_kind: {
      onboarding: ['Onboarding (baseline)', 'Intégration (état initial)'],
      review: ['Monthly review and planning session', 'Session mensuelle d\'examen et de planification'],
      checkin: ['Informal check-in', 'Point informel'], end_review: ['End-of-programme review', 'Bilan de fin de programme'],
      continuing: ['Continuing review', 'Bilan du cycle continu'],
    },
    phase: {
      not_started: ['Not started', 'Pas commencé'], onboarded: ['Onboarded', 'Intégrée'],
      in_sessions: ['In monthly sessions', 'En sessions mensuelles'], ended: ['Ended', 'Terminé'],
    },
    goal_state: {
      reached: ['Reached', 'Atteint'], in_progress: ['In progress', 'En cours'], missed: ['Missed', 'Manqué'], unknown: ['Unknown', 'Inconnu'],
    },
    group: {
      total: ['total', 'total'], channel: ['channel', 'canal'], country: ['country', 'pays'], product: ['product', 'produit'],
      quality: ['quality', 'qualité'], opportunities: ['opportunities', 'opportunités'],
    },
    figure: {
      orders: ['Orders', 'Commandes'], sales: ['Sales', 'Ventes'], profit: ['Profit', 'Profit'], views: ['Views', 'Vues'],
      units: ['Units', 'Unités'], score: ['Score', 'Score'], strong: ['Strong', 'Fortes'], good: ['Good', 'Bonnes'],
      potential: ['Potential', 'Potentielles'], new_markets: ['New-market candidates', 'Candidats pour de nouveaux marchés'],
    },
  };
  const MONEY_FIGURES = new Set(['sales', 'profit']);

  // A key's label in the page's language; an unknown key is shown as it is.
  function term(kind, key) {
    const labels = TERMS[kind][key];
    return labels ? labels[state.lang === 'fr' ? 1 : 0] : String(key);
  }

  function canEditActions() { return state.me && (state.me.role === 'admin' || state.me.role === 'manager'); }
  // Records name the person who made them: an account manager's token only (the API refuses the others).
  function canRecord() { return Boolean(state.me && state.me.role === 'manager'); }

  // A GET whose 404 or 422 is an expected answer ("no plan yet", "a rate is
  // missing"): that message, shown plainly, instead of an error.
  async function optional(path) {
    try {
      return { data: await api(path) };
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 422)) return { message: e.message };
      throw e;
    }
  }

  function message(text) { return el('p', { class: 'message', text }); }
  function dash(v) { return v === null || v === undefined || v === '' ? '-' : String(v); }

  // A table of rows of cells; each cell is [data-col, content (text or node), numeric?].
  function simpleTable(section, heads, rows) {
    if (!rows.length) return el('p', { class: 'empty', text: t('none') });
    return el('div', { class: 'table-wrap' }, [el('table', { 'data-section': section }, [
      el('thead', {}, [el('tr', {}, heads.map((h) => el('th', { scope: 'col', text: h })))]),
      el('tbody', {}, rows.map((r) => el('tr', r.attrs || {}, r.cells.map(([col, content, numeric]) =>
        el('td', { 'data-col': col, class: numeric ? 'num' : undefined }, [content]))))),
    ])]);
  }

  function programmeHeader(status) {
    return el('dl', { class: 'facts', 'data-section': 'programme' }, [
      el('dt', { text: t('programme_phase') }), el('dd', { 'data-col': 'phase', text: term('phase', status.phase) }),
      el('dt', { text: t('reviews_held') }), el('dd', { 'data-col': 'reviews_held', text: formatInteger(status.reviews_held) }),
      el('dt', { text: t('checkins') }), el('dd', { 'data-col': 'checkins', text: formatInteger(status.checkins) }),
    ]);
  }

  // One action: its status as a select (a manager or an admin) or as text (an
  // SME), a note, and what the last save gave.
  function actionRow(a) {
    const row = el('tr', { 'data-action': String(a.id) });
    const savedText = (x) => t('saved')(x.updated_by, formatInstant(x.updated_at));
    const saved = el('span', { class: 'saved', 'data-col': 'saved', text: a.updated_by ? savedText(a) : '' });
    let statusCell;
    if (canEditActions()) {
      const select = el('select', { class: 'status-select', 'aria-label': t('status') },
        Object.keys(TERMS.status).map((k) => el('option', { value: k, text: term('status', k) })));
      select.value = a.status;
      const note = el('input', { type: 'text', class: 'note-input', 'aria-label': t('note'), value: a.note });
      const button = el('button', { type: 'button', class: 'save-action', text: t('save') });
      button.addEventListener('click', () => {
        saved.className = 'saved';
        submitting(button, row, async () => {
          const answer = await send('PATCH', '/api/smes/' + encodeURIComponent(state.sme) + '/actions/' + a.id, null,
            { status: select.value, note: note.value });
          Object.assign(a, answer);
          saved.textContent = savedText(answer);
          row.dataset.status = answer.status;
        }, (text) => {
          saved.className = 'saved error';
          saved.textContent = text;
        });
      });
      statusCell = el('td', { 'data-col': 'status' }, [select, note, button, saved]);
    } else {
      statusCell = el('td', { 'data-col': 'status' }, [
        el('span', { class: 'status', text: term('status', a.status) }),
        a.note ? el('span', { class: 'note', text: ' · ' + a.note }) : null, saved]);
    }
    row.dataset.status = a.status;
    row.append(
      el('td', { 'data-col': 'title', text: a.title }),
      el('td', { 'data-col': 'owner', text: term('owner', a.owner_kind) + (a.owner_name ? ' (' + a.owner_name + ')' : '') }),
      el('td', { 'data-col': 'due', text: a.due ? formatDay(a.due) : '-' }),
      statusCell);
    return row;
  }

  function actionsTable(section, actions) {
    if (!actions.length) return el('p', { class: 'empty', text: t('none') });
    return el('div', { class: 'table-wrap' }, [el('table', { 'data-section': section, class: 'actions' }, [
      el('thead', {}, [el('tr', {}, [t('action'), t('owner'), t('due'), t('status')].map((h) => el('th', { scope: 'col', text: h })))]),
      el('tbody', {}, actions.map(actionRow))])]);
  }

  // A figure of a snapshot or a review: money in the snapshot's currency.
  function figureValue(money, currency, v) {
    if (v === null || v === undefined) return t('unknown');
    return money ? formatMoney({ minor: v, currency }) : formatInteger(v);
  }

  function deltaLabel(d) {
    return term('figure', d.figure) + (d.key ? ' · ' + d.key : '') + (d.group && d.group !== 'total' ? ' (' + term('group', d.group) + ')' : '');
  }

  function changesTable(section, deltas, currency) {
    // `|| 0`: a change of -0.0 % reads as 0.0 %.
    return simpleTable(section, [t('figure'), t('before'), t('after'), t('change')], deltas.map((d) => ({
      cells: [['figure', deltaLabel(d)], ['before', figureValue(d.money, currency, d.before), true],
        ['after', figureValue(d.money, currency, d.after), true],
        ['change', figureValue(d.money, currency, d.change) + (d.change_pct === null ? '' : ' (' + formatPercent(d.change_pct || 0) + ')'), true]],
    })));
  }

  function sessionDetail(s) {
    const answers = s.answers || {};
    const parts = [el('h3', { text: t('session') + ' ' + s.number + ' · ' + term('session_kind', s.kind) + ' · ' + formatInstant(s.held_at) })];
    parts.push(el('h4', { text: t('key_questions') }), el('dl', { class: 'answers' }, Object.keys(TERMS.question).flatMap((q) => [
      el('dt', { text: term('question', q) }),
      el('dd', { 'data-question': q, class: answers[q] ? undefined : 'unknown', text: answers[q] || t('no_answer') })])));
    const conclusions = Object.entries(s.conclusions || {});
    parts.push(el('h4', { text: t('conclusions') }), conclusions.length
      ? el('dl', { class: 'conclusions' }, conclusions.flatMap(([k, v]) => [el('dt', { text: term('area', k) }), el('dd', { 'data-area': k, text: v })]))
      : el('p', { class: 'empty', text: t('none') }));
    if (s.notes) parts.push(el('h4', { text: t('notes') }), el('p', { class: 'notes-text', text: s.notes }));
    const snap = s.snapshot;
    if (snap) {
      parts.push(el('h4', { text: t('data_shown') + ' · ' + formatMonth(snap.month) }));
      parts.push(simpleTable('snapshot', [t('figure'), t('value')], [
        { cells: [['figure', term('figure', 'orders')], ['value', formatInteger(snap.orders), true]] },
        { cells: [['figure', term('figure', 'sales')], ['value', figureValue(true, snap.currency, snap.sales), true]] },
        { cells: [['figure', term('figure', 'profit')], ['value', figureValue(true, snap.currency, snap.profit), true]] },
      ]));
      parts.push(simpleTable('snapshot-channels', [t('channels'), t('orders'), t('sales'), t('views')], (snap.channels || []).map((c) => ({
        attrs: { 'data-channel': c.key },
        cells: [['channel', c.key + (c.platform ? ' (' + c.platform + ', ' + c.country + ')' : '')], ['orders', formatInteger(c.orders), true],
          ['sales', figureValue(true, snap.currency, c.sales), true], ['views', formatInteger(c.views), true]],
      }))));
      parts.push(el('h4', { text: t('changes') }));
      if (s.compared_with === null) {
        parts.push(el('p', { class: 'empty', 'data-section': 'changes', text: t('first_session') }));
      } else {
        // Every product sold has its rows: those are folded away below the totals.
        const products = s.changes.filter((d) => d.group === 'product');
        parts.push(changesTable('changes', s.changes.filter((d) => d.group !== 'product'), snap.currency));
        if (products.length)
          parts.push(el('details', {}, [el('summary', { text: t('products_changes') + ' (' + formatInteger(products.length) + ')' }),
            changesTable('changes-products', products, snap.currency)]));
      }
    }
    parts.push(el('h4', { text: t('actions') }), actionsTable('session-actions', s.actions));
    return el('section', { id: 'session-detail', 'data-session': String(s.id) }, parts);
  }

  function sessionsSection(sessions, showSession) {
    if (!sessions.length) return el('p', { class: 'empty', text: t('no_sessions') });
    const table = simpleTable('sessions', [t('session'), t('kind'), t('held_on'), t('by'), t('month'), ''], sessions.map((s) => {
      const button = el('button', { type: 'button', class: 'show-session', text: t('show') });
      button.addEventListener('click', () => showSession(s.id));
      return {
        attrs: { 'data-session-id': String(s.id) },
        cells: [['number', formatInteger(s.number), true], ['kind', term('session_kind', s.kind)], ['held_at', formatInstant(s.held_at)],
          ['by', s.by], ['month', s.month ? formatMonth(s.month) : '-'], ['show', button]],
      };
    }));
    return table;
  }

  // With a manager's token each tool's row has its edit form (`base`: the SME's API path).
  function trainingSection(training, base) {
    const heads = [t('tool'), t('trained'), t('date'), t('trainer'), t('confidence'), t('follow_up')];
    if (canRecord()) heads.push('');
    return simpleTable('training', heads, training.map((x) => {
      const cells = [['tool', term('tool', x.tool)], ['trained', x.trained ? t('yes') : t('no')], ['date', x.date ? formatDay(x.date) : '-'],
        ['trainer', dash(x.trainer)], ['confidence', x.confidence === null ? '-' : formatInteger(x.confidence) + '/5', true],
        ['follow_up', dash(x.follow_up)]];
      if (canRecord()) cells.push(['edit', trainingForm(base, x)]);
      return { attrs: { 'data-tool': x.tool }, cells };
    }));
  }

  // A goal's figure in its unit: money in minor units, a margin in tenths of a percent.
  function goalValue(g, v) {
    if (v === null || v === undefined) return t('unknown');
    if (g.unit === '%') return formatPercent(v / 10);
    if (/^[A-Z]{3}$/.test(g.unit)) return formatMoney({ minor: v, currency: g.unit });
    return formatInteger(v) + ' ' + g.unit;
  }

  function goalsSection(goals) {
    return simpleTable('goals', [t('metric'), t('month'), t('value'), t('target'), t('percent'), t('due'), t('state')], goals.map((g) => ({
      attrs: { 'data-goal': String(g.id), 'data-state': g.state },
      cells: [['metric', term('metric', g.metric) + (g.shop ? ' · ' + g.shop : '')], ['month', formatMonth(g.month)],
        ['value', goalValue(g, g.value), true], ['target', goalValue(g, g.target), true],
        ['percent', g.percent === null ? '-' : formatPercent(g.percent), true], ['due', g.due ? formatDay(g.due) : '-'],
        ['state', term('goal_state', g.state)]],
    })));
  }

  function obstaclesSection(obstacles) {
    return simpleTable('obstacles', [t('kind'), t('note'), t('date'), t('by')], obstacles.map((o) => ({
      attrs: { 'data-obstacle': String(o.id) },
      cells: [['kind', term('obstacle', o.kind)], ['note', dash(o.note)], ['date', o.date ? formatDay(o.date) : '-'], ['by', dash(o.recorded_by)]],
    })));
  }

  function planSection(plan, review, base) {
    if (plan.message) return canRecord() ? [message(plan.message), draftPlanButton(base)] : [message(plan.message)];
    const p = plan.data;
    const target = [p.target.country, p.target.channel, p.target.segment].filter((x) => x).join(' · ');
    const out = [el('dl', { class: 'facts', 'data-section': 'plan' }, [
      el('dt', { text: t('plan_date') }), el('dd', { 'data-col': 'plan_date', text: p.plan_date ? formatDay(p.plan_date) : '-' }),
      el('dt', { text: t('target_market') }), el('dd', { 'data-col': 'target', text: target || '-' }),
      el('dt', { text: t('summary') }), el('dd', { 'data-col': 'summary', text: dash(p.summary) }),
    ]), el('h4', { text: t('actions') }), actionsTable('plan-actions', p.actions)];
    if (canRecord()) {
      out.splice(1, 0, planForm(base, p));
      out.push(actionForm(base));
    }
    out.push(el('h4', { text: t('plan_review') }));
    if (review.message) {
      out.push(message(review.message));
    } else {
      const r = review.data;
      const period = (x) => formatMonth(x.from) + ' – ' + formatMonth(x.to);
      out.push(simpleTable('plan-review', [t('figure'), t('period_before') + ' (' + period(r.before) + ')',
        t('period_after') + ' (' + period(r.after) + ')', t('change')], r.changes.map((d) => {
        const money = MONEY_FIGURES.has(d.figure);
        return { cells: [['figure', deltaLabel(d)], ['before', figureValue(money, r.currency, d.before), true],
          ['after', figureValue(money, r.currency, d.after), true], ['change', figureValue(money, r.currency, d.change), true]] };
      })));
    }
    return out;
  }

  // ---- Recording the programme from the page (a manager's token) ------------------------------
  //
  // One form per record, each sending the API's own body (docs/coaching.md);
  // the API checks everything, and its refusal is shown under the form as
  // text. After a record is stored the tab is drawn again from the API.

  // Runs `run` (a request to the API) with `button` disabled and `busy`
  // marked; a refusal's message goes to `fail`, as text. `busy.dataset.saves`
  // counts the attempts (what the browser test waits on).
  async function submitting(button, busy, run, fail) {
    button.disabled = true;
    busy.setAttribute('aria-busy', 'true');
    try {
      await run();
    } catch (e) {
      if (e instanceof Unauthorized) return showLogin('token_refused');
      fail(t('error') + e.message);
    } finally {
      button.disabled = false;
      busy.removeAttribute('aria-busy');
      busy.dataset.saves = String(Number(busy.dataset.saves || 0) + 1);
    }
  }

  // A record was stored: the tab again, as the API now has it.
  function recorded() {
    state.recorded += 1;
    return render();
  }

  let fieldSerial = 0;
  function field(label, control) {
    control.id = 'field-' + (++fieldSerial);
    return el('div', { class: 'field' }, [el('label', { for: control.id, text: label }), control]);
  }
  function textInput(name, value, type) {
    return el('input', { type: type || 'text', name, 'data-field': name, value: value || '' });
  }
  function dateInput(name, value) { return textInput(name, value, 'date'); }
  function textArea(name) { return el('textarea', { name, 'data-field': name, rows: '2' }); }
  // `options`: [value, label] pairs.
  function choice(name, options, value) {
    const select = el('select', { name, 'data-field': name }, options.map(([v, label]) => el('option', { value: v, text: label })));
    select.value = value === undefined ? options[0][0] : value;
    return select;
  }
  function termOptions(kind, keys) { return (keys || Object.keys(TERMS[kind])).map((k) => [k, term(kind, k)]); }

  // The form's fields by name; the optional ones left empty are not sent.
  function formValues(form) {
    const values = {};
    for (const e of form.elements) if (e.name && !e.disabled) values[e.name] = e.value;
    return values;
  }
  function withOptional(body, values, names) {
    for (const n of names) if (values[n] !== undefined && values[n].trim() !== '') body[n] = values[n];
    return body;
  }

  // A folded form named `name`: `submit(values)` sends it; no browser
  // validation, so that what is missing is the API's to say.
  function recordForm(name, summary, controls, submitLabel, submit) {
    const error = el('p', { class: 'form-error error', role: 'alert', 'data-field': 'error' });
    const button = el('button', { type: 'submit', text: submitLabel });
    const form = el('form', { class: 'record-form', 'data-form': name, novalidate: true },
      [...controls, el('div', { class: 'form-actions' }, [button]), error]);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      error.textContent = '';
      submitting(button, form, async () => {
        await submit(formValues(form));
        await recorded();
      }, (text) => { error.textContent = text; });
    });
    return el('details', { class: 'record', 'data-form': name }, [el('summary', { text: summary }), form]);
  }

  // The session as held: its kind and day, the six key questions, the five
  // areas' conclusions, notes and the actions agreed.
  function sessionForm(base) {
    const questions = Object.keys(TERMS.question), areas = Object.keys(TERMS.area);
    const kinds = Object.keys(TERMS.session_kind).filter((k) => k !== 'onboarding');  // onboarding: `pcgd programme start`
    const controls = [
      field(t('kind'), choice('kind', termOptions('session_kind', kinds), 'review')),
      field(t('held_at'), dateInput('held_at')),
      el('fieldset', {}, [el('legend', { text: t('key_questions') }),
        ...questions.map((q) => field(term('question', q), textArea('answer.' + q)))]),
      el('fieldset', {}, [el('legend', { text: t('conclusions') }),
        ...areas.map((a) => field(term('area', a), textArea('conclusion.' + a)))]),
      field(t('notes'), textArea('notes')),
      field(t('actions_agreed'), textArea('actions')),
    ];
    return recordForm('session', t('record_session'), controls, t('record'), async (v) => {
      // A question left blank has no answer recorded; an answer is kept as typed.
      const texts = (prefix, keys) => Object.fromEntries(keys.filter((k) => v[prefix + k].trim()).map((k) => [k, v[prefix + k]]));
      const body = withOptional({ kind: v.kind, answers: texts('answer.', questions), conclusions: texts('conclusion.', areas) },
        v, ['held_at', 'notes']);
      const actions = v.actions.split('\n').map((x) => x.trim()).filter((x) => x);
      if (actions.length) body.actions = actions;
      const session = await send('POST', base + '/sessions', null, body);
      state.session = session.id;  // shown once the tab is drawn again
    });
  }

  // One tool's training, as given (with the day and the SME's confidence) or not yet.
  function trainingForm(base, x) {
    const trained = choice('trained', [['yes', t('yes')], ['no', t('no')]], x.trained ? 'yes' : 'no');
    const date = dateInput('date', x.date);
    const confidence = choice('confidence', [['', '-'], ...[1, 2, 3, 4, 5].map((n) => [String(n), n + '/5'])],
      x.confidence ? String(x.confidence) : '');
    // A training not given takes no day or confidence (the API refuses them): those fields are then off.
    const follow = () => { date.disabled = confidence.disabled = trained.value !== 'yes'; };
    trained.addEventListener('change', follow);
    follow();
    const controls = [field(t('trained'), trained), field(t('date_or_today'), date), field(t('confidence'), confidence),
      field(t('follow_up'), textInput('follow_up', x.follow_up)), el('p', { class: 'hint', text: t('trainer_is')(state.me.subject) })];
    return recordForm('training-' + x.tool, t('edit'), controls, t('save'), async (v) => {
      const body = withOptional({ trained: v.trained === 'yes', follow_up: v.follow_up }, v, ['date']);
      if (v.confidence) body.confidence = Number(v.confidence);
      await send('PUT', base + '/training/' + encodeURIComponent(x.tool), null, body);
    });
  }

  function obstacleForm(base) {
    return recordForm('obstacle', t('add_obstacle'), [
      field(t('kind'), choice('kind', termOptions('obstacle'))), field(t('note'), textInput('note')),
      field(t('date_or_today'), dateInput('date')),
    ], t('add'), (v) => send('POST', base + '/obstacles', null, withOptional({ kind: v.kind, note: v.note }, v, ['date'])));
  }

  // A goal: the metric (a shop's for channel orders and quality), the target
  // as text in the metric's unit, the due day; the API measures it.
  function goalForm(base, shops) {
    const shopOptions = [['', t('whole_sme')], ...shops.map((s) => [s.id, s.id + ' (' + s.platform + ', ' + s.country + ')'])];
    return recordForm('goal', t('add_goal'), [
      field(t('metric'), choice('metric', termOptions('metric'))), field(t('goal_shop'), choice('shop', shopOptions)),
      field(t('goal_target'), textInput('target')), field(t('due'), dateInput('due')), field(t('note'), textInput('note')),
    ], t('add'), (v) => send('POST', base + '/goals', null, withOptional({ metric: v.metric, target: v.target, due: v.due }, v, ['shop', 'note'])));
  }

  // No plan yet: the draft comes from the four tools, in one click.
  function draftPlanButton(base) {
    const button = el('button', { type: 'button', class: 'draft-plan', text: t('draft_plan') });
    const error = el('p', { class: 'form-error error', role: 'alert', 'data-field': 'error' });
    const box = el('div', { class: 'record', 'data-form': 'draft-plan' }, [button, error]);
    button.addEventListener('click', () => {
      error.textContent = '';
      submitting(button, box, async () => {
        await send('POST', base + '/plan');
        await recorded();
      }, (text) => { error.textContent = text; });
    });
    return box;
  }

  // The plan's target market and summary (a field left empty keeps its value).
  function planForm(base, p) {
    const summary = textArea('summary');
    summary.value = p.summary || '';
    return recordForm('plan', t('edit_plan'), [
      field(t('country'), textInput('country', p.target.country)), field(t('channel'), textInput('channel', p.target.channel)),
      field(t('segment'), textInput('segment', p.target.segment)), field(t('summary'), summary),
    ], t('save'), (v) => send('PATCH', base + '/plan', null,
      { country: v.country, channel: v.channel, segment: v.segment, summary: v.summary }));
  }

  function actionForm(base) {
    return recordForm('action', t('add_action'), [
      field(t('title'), textInput('title')), field(t('owner'), choice('owner_kind', termOptions('owner'))),
      field(t('owner_name'), textInput('owner_name')), field(t('due'), dateInput('due')), field(t('note'), textInput('note')),
    ], t('add'), (v) => send('POST', base + '/actions', null,
      withOptional({ plan: true, title: v.title, owner_kind: v.owner_kind }, v, ['owner_name', 'due', 'note'])));
  }

  async function programmeView() {
    const base = '/api/smes/' + encodeURIComponent(state.sme);
    const status = await optional(base + '/programme');
    const title = el('h2', { text: t('view_programme') });
    if (status.message) return el('article', { 'data-tool': 'programme' }, [title, message(status.message)]);
    const [sessions, training, goals, obstacles, plan, review, shops] = await Promise.all([
      api(base + '/sessions'), api(base + '/training'), optional(base + '/goals'), api(base + '/obstacles'),
      optional(base + '/plan'), optional(base + '/plan/review'), canRecord() ? api(base + '/shops') : []]);
    const detail = el('div', { id: 'session-slot' });
    const article = el('article', { 'data-tool': 'programme' });
    // Shows one session's record below the list; the latest at first.
    const showSession = async (id) => {
      state.session = id;
      detail.setAttribute('aria-busy', 'true');
      try {
        const s = await api(base + '/sessions/' + encodeURIComponent(id));
        if (state.session !== id) return;
        detail.replaceChildren(sessionDetail(s));
      } catch (e) {
        if (e instanceof Unauthorized) return showLogin('token_refused');
        detail.replaceChildren(el('p', { class: 'error', role: 'alert', text: t('error') + e.message }));
      } finally {
        detail.removeAttribute('aria-busy');
      }
      for (const r of article.querySelectorAll('tr[data-session-id]'))
        r.setAttribute('aria-current', r.dataset.sessionId === String(id) ? 'true' : 'false');
    };
    const recording = canRecord();
    article.append(...[title, programmeHeader(status.data),
      el('h3', { text: t('sessions') }), sessionsSection(sessions, showSession), recording && sessionForm(base), detail,
      el('h3', { text: t('training') }), trainingSection(training, base),
      el('h3', { text: t('goals') }), goals.message ? message(goals.message) : goalsSection(goals.data), recording && goalForm(base, shops),
      el('h3', { text: t('obstacles') }), obstaclesSection(obstacles), recording && obstacleForm(base),
      el('h3', { text: t('plan_title') }), ...planSection(plan, review, base)].filter((x) => x));
    if (sessions.length) {
      const keep = sessions.some((s) => s.id === state.session) ? state.session : sessions[sessions.length - 1].id;
      await showSession(keep);
    }
    return article;
  }

  function formatLag(seconds) {
    if (seconds === null || seconds === undefined) return '-';
    const minutes = Math.round(seconds / 60);
    if (minutes < 120) return formatInteger(minutes) + ' min';
    return formatInteger(Math.round(minutes / 60)) + ' h';
  }

  // A shop's schedule (state, next run, data age, failures) and, for an
  // account manager or admin, "sync now" and the consent link to send.
  async function scheduleCell(shop) {
    const parts = [];
    try {
      const s = await api('/api/shops/' + encodeURIComponent(shop.id) + '/sync');
      parts.push(el('span', { 'data-field': 'state', 'data-state': s.state, text: t('sched_' + s.state) || s.state }));
      if (s.next_run_at) parts.push(el('span', { text: colon(t('next_run')) + formatInstant(s.next_run_at) }));
      parts.push(el('span', { 'data-field': 'lag', text: colon(t('lag')) + formatLag(s.lag_s) }));
      if (s.consecutive_failures) parts.push(el('span', { class: 'error', text: t('failures')(s.consecutive_failures) }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      parts.push(el('span', { class: 'message', text: e.message }));
    }
    if (!canEditActions()) return parts;
    const out = el('span', { class: 'result', 'data-field': 'result', 'aria-live': 'polite' });
    const act = (label, field, run) => {
      const button = el('button', { type: 'button', 'data-action': field, text: label });
      button.addEventListener('click', async () => {
        button.disabled = true;
        out.replaceChildren();
        try {
          out.append(...await run());
        } catch (e) {
          if (e instanceof Unauthorized) return showLogin(t('token_refused'));
          out.append(el('span', { class: 'error', text: t('error') + e.message }));
        } finally {
          button.disabled = false;
        }
      });
      return button;
    };
    const id = encodeURIComponent(shop.id);
    parts.push(el('span', { class: 'actions' }, [
      act(t('sync_now'), 'sync', async () => {
        const r = await send('POST', '/api/shops/' + id + '/sync');
        return [el('span', { text: t('sync_queued')(r.sync_id) })];
      }),
      act(t('connect_link'), 'connect', async () => {
        const r = await send('POST', '/api/shops/' + id + '/connect');
        return [el('span', { text: t('connect_sent')(formatInstant(r.expires_at)) }),
          el('input', { type: 'text', readonly: '', value: r.url, 'data-field': 'connect-url', 'aria-label': t('connect_link') })];
      }),
    ]), out);
    return parts;
  }

  // ---- The views ---------------------------------------------------------------------------------

  const VIEWS = {
    async shops() {
      const shops = await api('/api/smes/' + encodeURIComponent(state.sme) + '/shops');
      if (!shops.length) return el('p', { text: t('no_shops') });
      const datasets = ['inventory', 'orders', 'traffic'];
      const head = [t('shop'), t('platform'), t('country'), t('currency'), t('products'), t('orders'), ...datasets.map((d) => t('sync_of')(t(d)))];
      const rows = shops.map((s) => el('tr', { 'data-shop': s.id }, [
        el('th', { scope: 'row', 'data-col': 'id', text: s.id }),
        el('td', { 'data-col': 'platform', text: s.platform }),
        el('td', { 'data-col': 'country', text: s.country }),
        el('td', { 'data-col': 'currency', text: s.currency }),
        el('td', { 'data-col': 'products', class: 'num', text: formatInteger(s.counts.products) }),
        el('td', { 'data-col': 'orders', class: 'num', text: formatInteger(s.counts.orders) }),
        ...datasets.map((d) => {
          const st = s.sync[d] || {};
          return el('td', { 'data-col': 'sync-' + d, class: st.last_error ? 'sync failed' : 'sync' }, [
            el('span', { class: 'ok', text: st.last_success_at ? colon(t('last_success')) + formatInstant(st.last_success_at) : t('never') }),
            st.last_error ? el('span', { class: 'error', text: colon(t('last_error')) + st.last_error }) : null,
          ]);
        }),
      ]));
      // The scheduler's view of each shop, and what a manager can start from here.
      head.push(t('schedule'));
      await Promise.all(shops.map(async (shop, i) => {
        rows[i].append(el('td', { 'data-col': 'schedule' }, await scheduleCell(shop)));
      }));
      return el('article', { 'data-tool': 'shops' }, [
        el('h2', { text: t('view_shops') }),
        el('div', { class: 'table-wrap' }, [el('table', { 'data-section': 'shops' }, [
          el('thead', {}, [el('tr', {}, head.map((h) => el('th', { scope: 'col', text: h })))]),
          el('tbody', {}, rows)])]),
      ]);
    },

    async quality() {
      const r = await report('quality');
      return reportView(r, Object.entries(r.sections).map(([k, s]) => renderSection(k, s)));
    },

    async opportunities() {
      const r = await report('opportunities');
      const products = r.sections.products;
      const middle = [];
      if (products) {
        const columns = products.columns.filter((c) => c.key !== 'tier');
        const tiers = new Map();
        for (const row of products.rows) {
          if (!tiers.has(row.tier)) tiers.set(row.tier, []);
          tiers.get(row.tier).push(row);
        }
        const ranked = [...tiers.keys()].sort((a, b) => (TIER_RANK[a] ?? 9) - (TIER_RANK[b] ?? 9));
        const tierColumn = products.columns.find((c) => c.key === 'tier');
        middle.push(el('h3', { text: products.title }));
        for (const tier of ranked) {
          const rows = tiers.get(tier);
          const best = tier in TIER_RANK;
          const block = el(best ? 'section' : 'details', { class: 'tier', 'data-tier': tier }, [
            el(best ? 'h4' : 'summary', { text: (best ? colon(tierColumn.label) + tier : t('tier_other') + ' (' + tier + ')') + ' · ' + formatInteger(rows.length) }),
            sectionTable('products-' + tier, products, columns, rows),
          ]);
          middle.push(block);
        }
      }
      for (const [k, s] of Object.entries(r.sections)) if (k !== 'products') middle.push(renderSection(k, s));
      return reportView(r, middle);
    },

    async planning() {
      const r = await report('planning');
      const months = r.sections.months.rows;
      const point = (row, value) => ({ label: formatMonth(row.month), short: shortMonth(row.month), value });
      const projection = (figure) => {
        const row = r.sections.projection.rows[figure];
        if (!row) return null;
        const value = (v) => (isMoney(v) ? v.minor : v);
        return { label: formatMonth(row.month), short: shortMonth(row.month), value: value(row.projected), low: value(row.low), high: value(row.high) };
      };
      const money = (minor) => formatMoney({ minor: Math.round(minor), currency: r.currency });
      const charts = el('div', { class: 'charts' }, [
        barChart(t('chart_orders'), months.map((m) => point(m, m.orders)), formatInteger, projection(1)),
        barChart(t('chart_sales'), months.map((m) => point(m, m.sales.minor)), money, projection(0)),
        barChart(t('chart_profit'), months.map((m) => point(m, m.profit ? m.profit.minor : null)), money, null),
      ]);
      const channelRows = r.sections.channels.rows;
      const shops = [...new Set(channelRows.map((c) => c.shop))];
      const channelSeries = shops.map((shop) => {
        const rows = channelRows.filter((c) => c.shop === shop);
        return { name: shop + ' (' + rows[0].platform + ', ' + rows[0].country + ')', values: rows.map((c) => c.sales.minor) };
      });
      charts.append(lineChart(t('chart_channels'), months.map((m) => point(m, 0)), channelSeries, money));
      return reportView(r, [charts, ...Object.entries(r.sections).map(([k, s]) => renderSection(k, s))]);
    },

    async growth() {
      const r = await report('growth');
      return reportView(r, Object.entries(r.sections).map(([k, s]) => renderSection(k, s)));
    },

    programme: programmeView,
  };

  // ---- Wiring ---------------------------------------------------------------------------------------

  function start() {
    const saved = sessionStorage.getItem('pcgd.lang');
    state.lang = saved === 'fr' || saved === 'en' ? saved : (navigator.language || '').startsWith('fr') ? 'fr' : 'en';
    $('lang').value = state.lang;
    translatePage();

    $('lang').addEventListener('change', () => {
      state.lang = $('lang').value;
      sessionStorage.setItem('pcgd.lang', state.lang);
      translatePage();
      fillSmePicker();
      if (state.me) render();
      else showLoginMessage();
    });
    $('sme').addEventListener('change', () => {
      state.sme = $('sme').value;
      sessionStorage.setItem('pcgd.sme', state.sme);
      render();
    });
    $('month').addEventListener('change', () => {
      state.month = $('month').value;
      render();
    });
    for (const b of document.querySelectorAll('#views button'))
      b.addEventListener('click', () => {
        state.view = b.dataset.view;
        render();
      });
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('token').value.trim();
      if (!token) return showLogin('token_missing');
      signIn(token);
    });
    $('sign-out').addEventListener('click', () => showLogin(null));

    // #token=... signs in; the fragment is dropped from the address and the
    // history at once so that it is not left on screen or bookmarked.
    const fragment = new URLSearchParams(location.hash.slice(1));
    // A link may also choose the language: #token=...&lang=fr.
    const linkLang = fragment.get('lang');
    if (linkLang === 'en' || linkLang === 'fr') {
      state.lang = linkLang;
      sessionStorage.setItem('pcgd.lang', state.lang);
      $('lang').value = state.lang;
      translatePage();
    }
    let token = fragment.get('token');
    if (token) history.replaceState(null, '', location.pathname + location.search);
    token = token || sessionStorage.getItem('pcgd.token');
    if (token) signIn(token);
    else showLogin(null);
    // A login link opened in a tab already showing the page.
    window.addEventListener('hashchange', () => {
      const next = new URLSearchParams(location.hash.slice(1)).get('token');
      if (!next) return;
      history.replaceState(null, '', location.pathname + location.search);
      signIn(next);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
