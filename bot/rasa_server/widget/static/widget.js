/* The migrant information assistant's chat widget.
 *
 * Embed: <script src="https://ASSISTANT/widget/widget.js" data-lang="uk" defer></script>
 * Options (data-* attributes of that script tag; docs/widget.md):
 *   data-assistant-url   where the assistant runs (default: where widget.js came from)
 *   data-lang            the language to start in (the visitor's own choice wins later)
 *   data-title           the panel's title (default: the translated interface title)
 *   data-primary-color   any CSS colour; text on it is black or white, whichever reads better
 *   data-side            "right" (default) or "left"
 *
 * Served by the assistant as one file after the socket.io client, which
 * gives this code `io`, and format.js, which gives it replyTextNodes
 * (bot/rasa_server/widget/assets.py). Everything the visitor sees is text: the
 * visitor's messages go in with textContent, the assistant's through
 * replyTextNodes (paragraphs, lists, bold, https links, built node by node).
 *
 * A reply (the bot messages answering one message, ending with the
 * custom.meta message: docs/widget.md) is collected and shown at once: its
 * office cards in place of the text they stand for (custom.office_cards and
 * custom.cards_replace_text), its labels in its own language, and the view
 * scrolled to its first bubble, so a phone shows the start of an answer.
 * A plan for the move (custom.plan) is a checklist after the reply's texts,
 * its ticks kept in this browser only (localStorage "migrant-plan:<key>").
 *
 * The conversation belongs to whoever holds its session key: the server
 * issues the id and its key (session_confirm), both are kept in
 * localStorage, and a reload asks for the same id with its key.
 */
/* global io, replyTextNodes, replyHttpsUrl */
'use strict';

var script = document.currentScript;
if (script && !window.__migrantChatWidget) {
  window.__migrantChatWidget = true;
  if (document.body) startWidget(script);
  else document.addEventListener('DOMContentLoaded', function () { startWidget(script); }); // a tag in <head> without defer
}

function startWidget(tag) {
  var HISTORY_LIMIT = 50;
  var REPLY_TIMEOUT_MS = 45000;
  var LONE_REPLY_MS = 1000; // a reply with no meta message and no acknowledgement to close it is shown after this
  var DELETE_PAYLOAD = '/delete_conversation'; // bot/core/privacy/commands.py
  var PLAN_PREFIX = 'migrant-plan:'; // + a plan's key: the ids of its ticked steps (docs/widget.md)
  var PLAN_KEY = /^[A-Za-z0-9_-]{1,128}$/;
  var base = new URL(tag.getAttribute('data-assistant-url') || new URL('.', tag.src).href, document.baseURI);
  var assistantOrigin = base.origin;
  var widgetBase = assistantOrigin + '/widget/';
  var store = makeStore('mcw:' + assistantOrigin + ':');
  var cfg = {
    lang: (tag.getAttribute('data-lang') || '').toLowerCase(),
    title: tag.getAttribute('data-title') || '',
    primary: tag.getAttribute('data-primary-color') || '',
    side: tag.getAttribute('data-side') === 'left' ? 'left' : 'right'
  };

  var state = {
    languages: store.get('languages') || null,
    lang: null,
    strings: {},
    sessionId: validText(store.get('session')),
    sessionKey: validText(store.get('session_key')),
    history: validHistory(store.get('history')),
    open: store.get('open') === true,
    online: false,
    sessionReady: false,
    everOnline: false,
    sending: null,
    incoming: null, // the reply being received: {texts: [{text, quick}], custom}
    incomingTimer: null,
    waiting: null, // replies waiting for their language's strings, shown in order
    stringsByLang: Object.create(null), // interface strings per language: each reply's labels are in the reply's language
    replyTimer: null,
    sessionPending: false, // a new session was asked for on a live connection: nothing is sent until it is confirmed
    deleting: null, // the delete command's answers while it is under way
    ticks: Object.create(null) // plan key -> its ticks as last saved (what counts when storage fails)
  };

  var ui = buildUi();
  applyColours(cfg.primary);
  Promise.all([ui.styled, loadLanguages()]).then(function () {
    return setLanguage(pickLanguage(), false);
  }).then(function () {
    return loadHistoryLanguages();
  }).then(function () {
    renderHistory();
    ui.root.hidden = false;
    if (state.open) openPanel(false);
    connect();
  }).catch(function (error) {
    console.warn('chat widget: could not start', error);
  });

  /* ---------- storage ---------- */

  function makeStore(prefix) {
    var memory = {};
    function raw() {
      try { return window.localStorage; } catch (e) { return null; }
    }
    return {
      get: function (key) {
        try {
          var s = raw();
          var text = s ? s.getItem(prefix + key) : memory[key];
          return text == null ? null : JSON.parse(text);
        } catch (e) { return null; }
      },
      set: function (key, value) {
        var text = JSON.stringify(value);
        memory[key] = text;
        try { var s = raw(); if (s) s.setItem(prefix + key, text); } catch (e) { /* full or blocked: memory only */ }
      }
    };
  }

  /* What localStorage holds may have been changed by anything on the page: keep well-formed entries only. */
  function validHistory(value) {
    if (!Array.isArray(value)) return [];
    return value.filter(function (e) {
      return e && typeof e === 'object' && typeof e.id === 'string' && (e.role === 'user' || e.role === 'bot') &&
        (typeof e.text === 'string' || typeof e.key === 'string' || (e.card && typeof e.card === 'object') || validCards(e.cards).length ||
          validPlan(e.plan));
    }).slice(-HISTORY_LIMIT);
  }

  /* Office cards as a list of objects, each office once (by its id, else its name). */
  function validCards(value) {
    var seen = Object.create(null);
    return (Array.isArray(value) ? value : []).filter(function (card) {
      if (!card || typeof card !== 'object') return false;
      var key = String(card.id || card.name || '');
      if (seen[key]) return false;
      seen[key] = true;
      return true;
    });
  }

  function validText(value) {
    return typeof value === 'string' && value ? value : null;
  }

  /* A plan (custom.plan, docs/widget.md) as the checklist uses it, or null; localStorage's copy is checked again. */
  function validPlan(value) {
    if (!value || typeof value.key !== 'string' || !PLAN_KEY.test(value.key)) return null;
    var list = function (v) { return Array.isArray(v) ? v : []; };
    var phases = list(value.phases).map(function (phase) {
      var steps = list(phase && phase.steps).filter(function (s) { return s && validText(s.id) && validText(s.title); }).map(function (s) {
        return { id: s.id, title: s.title, answer: validText(s.answer), conditional_note: validText(s.conditional_note),
          office: s.office && typeof s.office === 'object' ? s.office : null, sources: list(s.sources).filter(validText), checked: validText(s.checked) };
      });
      return steps.length ? { title: validText(phase.title), steps: steps } : null;
    }).filter(Boolean);
    return phases.length ? { key: value.key, title: validText(value.title), intro: validText(value.intro),
      link: validText(value.link), pdf: validText(value.pdf), phases: phases } : null;
  }

  /* A plan's ticked step ids, in localStorage as "migrant-plan:<key>"; kept in memory when storage fails. */
  function loadTicks(key) {
    var text = state.ticks[key];
    try {
      if (text === undefined) text = window.localStorage.getItem(PLAN_PREFIX + key);
      var ids = JSON.parse(text);
      return Array.isArray(ids) ? ids.filter(validText) : [];
    } catch (e) { return []; }
  }

  function saveTicks(key, ids) {
    state.ticks[key] = JSON.stringify(ids);
    try {
      if (ids.length) window.localStorage.setItem(PLAN_PREFIX + key, state.ticks[key]);
      else window.localStorage.removeItem(PLAN_PREFIX + key);
    } catch (e) { /* full or blocked: memory only */ }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /* ---------- languages and strings (served from locales/ by the assistant) ---------- */

  function getJson(path) {
    return fetch(widgetBase + path, { credentials: 'omit' }).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function loadLanguages() {
    return getJson('languages.json').then(function (data) {
      state.languages = data;
      store.set('languages', data);
    }, function (error) {
      if (!state.languages) throw error; // never loaded: nothing to show
    });
  }

  function language(code) {
    var list = state.languages.languages;
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
    return null;
  }

  function pickLanguage() {
    var wanted = [store.get('lang'), cfg.lang];
    (navigator.languages || []).forEach(function (l) { wanted.push(String(l).slice(0, 2).toLowerCase()); });
    wanted.push(state.languages.default);
    for (var i = 0; i < wanted.length; i++) if (wanted[i] && language(wanted[i])) return wanted[i];
    return state.languages.languages[0].code;
  }

  /* A language's interface strings: asked for once per page, the stored copy when the assistant is unreachable. */
  function loadStrings(code) {
    if (state.stringsByLang[code]) return Promise.resolve(state.stringsByLang[code]);
    var cached = store.get('strings:' + code);
    return getJson('strings/' + encodeURIComponent(code) + '.json').then(function (data) {
      store.set('strings:' + code, data.strings);
      return data.strings;
    }, function (error) {
      if (cached) return cached;
      throw error;
    }).then(function (strings) {
      state.stringsByLang[code] = strings;
      return strings;
    });
  }

  /* The strings of every language the stored conversation's replies are in (their labels are shown in it). */
  function loadHistoryLanguages() {
    var codes = {};
    state.history.forEach(function (e) { if (e.role === 'bot' && e.lang && language(e.lang)) codes[e.lang] = true; });
    return Promise.all(Object.keys(codes).map(function (code) {
      return loadStrings(code).catch(function () { return null; }); // the interface language's labels then
    }));
  }

  function setLanguage(code, remember) {
    return loadStrings(code).then(function (strings) {
      state.lang = code;
      state.strings = strings;
      if (remember) store.set('lang', code);
      var lang = language(code);
      ui.root.setAttribute('lang', code);
      ui.root.setAttribute('dir', lang && lang.direction === 'rtl' ? 'rtl' : 'ltr');
      ui.select.value = code;
      ui.langCode.textContent = code.toUpperCase();
      applyStrings();
    });
  }

  function translate(strings, key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split('{' + name + '}').join(values[name]); });
    return text;
  }

  /* An interface string in the widget's language. */
  function t(key, values) {
    return translate(state.strings, key, values);
  }

  /* t for a message in `lang` (a reply's language), the widget's language when those strings are not loaded. */
  function sayer(lang) {
    var strings = (lang && state.stringsByLang[lang]) || state.strings;
    return function (key, values) { return translate(strings, key, values); };
  }

  function applyStrings() {
    ui.title.textContent = cfg.title || t('title');
    ui.launcher.setAttribute('aria-label', t(state.open ? 'close' : 'open'));
    ui.close.setAttribute('aria-label', t('close'));
    ui.clear.textContent = t('clear');
    ui.menuButton.setAttribute('aria-label', t('menu'));
    ui.menuButton.title = t('menu');
    ui.deleteItem.textContent = t('delete_conversation');
    ui.privacyItem.textContent = t('privacy');
    ui.privacyItem.appendChild(el('span', { class: 'sr-only' }, ' ' + t('new_tab')));
    ui.privacyItem.href = widgetBase + 'privacy?lang=' + encodeURIComponent(state.lang);
    ui.confirmText.textContent = t('delete_confirm');
    ui.confirmYes.textContent = t('delete_yes');
    ui.confirmNo.textContent = t('cancel');
    ui.langLabel.textContent = t('language');
    ui.log.setAttribute('aria-label', t('conversation'));
    ui.inputLabel.textContent = t('input_label');
    ui.input.placeholder = t('placeholder');
    ui.send.setAttribute('aria-label', t('send'));
    ui.typingText.textContent = ui.typing.hidden ? '' : t('typing');
    renderLanguageOptions();
    renderBanner();
    Array.prototype.forEach.call(ui.log.querySelectorAll('[data-key]'), function (el) {
      el.textContent = t(el.getAttribute('data-key'));
    });
  }

  function renderLanguageOptions() {
    ui.select.textContent = '';
    state.languages.languages.forEach(function (l) {
      var option = el('option', { value: l.code, lang: l.code, dir: l.direction }, l.name);
      ui.select.appendChild(option);
    });
    ui.select.value = state.lang;
  }

  /* ---------- building the interface (in a shadow root: no CSS leaks either way) ---------- */

  function el(tagName, attrs, text) {
    var node = document.createElement(tagName);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(path) {
    var ns = 'http://www.w3.org/2000/svg';
    var icon = document.createElementNS(ns, 'svg');
    icon.setAttribute('viewBox', '0 0 24 24');
    icon.setAttribute('aria-hidden', 'true');
    icon.setAttribute('focusable', 'false');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('d', path);
    icon.appendChild(p);
    return icon;
  }

  function buildUi() {
    var host = el('div', { id: 'migrant-chat-widget' });
    var shadow = host.attachShadow({ mode: 'open' });
    var sheet = el('link', { rel: 'stylesheet', href: widgetBase + 'widget.css' });
    var styled = new Promise(function (resolve) {
      sheet.addEventListener('load', resolve);
      sheet.addEventListener('error', resolve); // unstyled is still usable
    });
    shadow.appendChild(sheet);
    var root = el('div', { class: 'mcw side-' + cfg.side, hidden: '' });
    var launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'mcw-panel' });
    launcher.appendChild(svg('M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'));
    var panel = el('section', { id: 'mcw-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'mcw-title', hidden: '' });
    var header = el('div', { class: 'header' });
    var title = el('h2', { id: 'mcw-title', class: 'title' });
    // the picker shows the language's code ("LV ▾") and lists the languages' own names when opened:
    // the native select lies transparent over the code, so it keeps its label, keyboard and phone pickers
    var langWrap = el('div', { class: 'lang' });
    var langLabel = el('label', { for: 'mcw-lang', class: 'sr-only' });
    var select = el('select', { id: 'mcw-lang' });
    var langShown = el('span', { class: 'lang-shown', 'aria-hidden': 'true' });
    var langCode = el('span', { class: 'lang-code' });
    langShown.append(langCode, svg('M7 10l5 5 5-5z'));
    langWrap.append(langLabel, langShown, select);
    var menuButton = el('button', { type: 'button', class: 'icon menu-button', 'aria-expanded': 'false', 'aria-controls': 'mcw-menu' });
    menuButton.appendChild(svg('M12 8a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm0 6a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm0 6a2 2 0 1 0 0-4 2 2 0 0 0 0 4z'));
    var close = el('button', { type: 'button', class: 'icon close' });
    close.appendChild(svg('M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z'));
    header.append(title, langWrap, menuButton, close);
    // the menu: a disclosure (a button showing a list of buttons), with the delete confirmation inline
    var menu = el('div', { id: 'mcw-menu', class: 'menu', hidden: '' });
    var items = el('div', { class: 'menu-items' });
    var clear = el('button', { type: 'button', class: 'menu-item clear' });
    var deleteItem = el('button', { type: 'button', class: 'menu-item delete-item' });
    var privacyItem = el('a', { class: 'menu-item privacy-item', target: '_blank', rel: 'noopener noreferrer' });
    items.append(clear, deleteItem, privacyItem);
    var confirm = el('div', { class: 'confirm', role: 'group', 'aria-labelledby': 'mcw-confirm-text', hidden: '' });
    var confirmText = el('p', { id: 'mcw-confirm-text' });
    var confirmActions = el('div', { class: 'confirm-actions' });
    var confirmYes = el('button', { type: 'button', class: 'confirm-yes' });
    var confirmNo = el('button', { type: 'button', class: 'confirm-no' });
    confirmActions.append(confirmYes, confirmNo);
    confirm.append(confirmText, confirmActions);
    menu.append(items, confirm);
    var banner = el('div', { class: 'banner', role: 'status' });
    var log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0' });
    var typing = el('div', { class: 'typing', hidden: '', 'aria-hidden': 'true' });
    typing.append(el('span'), el('span'), el('span'));
    var typingText = el('div', { class: 'sr-only', role: 'status' });
    var form = el('form', { class: 'composer' });
    var inputLabel = el('label', { for: 'mcw-input', class: 'sr-only' });
    var input = el('textarea', { id: 'mcw-input', rows: '1', maxlength: '1000', autocomplete: 'off', enterkeyhint: 'send' });
    var send = el('button', { type: 'submit', class: 'send' });
    send.appendChild(svg('M3 20.5v-7l9-1.5-9-1.5v-7L22 12z'));
    form.append(inputLabel, input, send);
    panel.append(header, menu, banner, log, typing, typingText, form);
    root.append(panel, launcher);
    shadow.appendChild(root);
    document.body.appendChild(host);

    launcher.addEventListener('click', function () { if (state.open) closePanel(); else openPanel(true); });
    close.addEventListener('click', closePanel);
    clear.addEventListener('click', clearConversation);
    menuButton.addEventListener('click', function () { if (menu.hidden) openMenu(); else closeMenu(true); });
    deleteItem.addEventListener('click', askToDelete);
    privacyItem.addEventListener('click', function () { closeMenu(false); });
    confirmYes.addEventListener('click', deleteConversation);
    confirmNo.addEventListener('click', function () { closeMenu(true); });
    panel.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      if (!menu.hidden) closeMenu(true); else closePanel(); // an open menu closes first
    });
    select.addEventListener('change', function () { setLanguage(select.value, true); });
    form.addEventListener('submit', function (event) { event.preventDefault(); submitInput(); });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); submitInput(); }
    });
    log.addEventListener('change', onTick);
    window.addEventListener('storage', function (event) { // another tab ticked a plan's step
      var key = event.key && event.key.indexOf(PLAN_PREFIX) === 0 ? event.key.slice(PLAN_PREFIX.length) : null;
      if (key) delete state.ticks[key];
      if (key || event.key === null) showTicks(key);
    });
    window.addEventListener('offline', function () { onNetworkChange(); });
    window.addEventListener('online', function () { onNetworkChange(); });
    /* The view stays at the latest reply's start while the log's size settles (the header's title wraps once
     * the strings arrive, the panel opens): until the visitor scrolls, reads or types. */
    if (window.ResizeObserver) new ResizeObserver(function () { if (state.landed) scrollToLatest(); }).observe(log);
    ['wheel', 'touchstart', 'keydown', 'mousedown'].forEach(function (type) {
      log.addEventListener(type, function () { state.landed = false; }, { passive: true });
    });

    return {
      host: host, styled: styled, root: root, launcher: launcher, panel: panel, title: title, langLabel: langLabel, select: select,
      langCode: langCode,
      clear: clear, close: close, banner: banner, log: log, typing: typing, typingText: typingText,
      input: input, inputLabel: inputLabel, send: send, menuButton: menuButton, menu: menu, items: items,
      deleteItem: deleteItem, privacyItem: privacyItem, confirm: confirm, confirmText: confirmText,
      confirmYes: confirmYes, confirmNo: confirmNo
    };
  }

  /* ---------- colours: the host's primary colour, with readable text on it ---------- */

  function rgbOf(colour) {
    var probe = el('span');
    probe.style.color = colour;
    ui.root.appendChild(probe);
    var m = getComputedStyle(probe).color.match(/[\d.]+/g);
    probe.remove();
    return m ? m.slice(0, 3).map(Number) : null;
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function applyColours(colour) {
    if (!colour || !window.CSS || !CSS.supports('color', colour)) return;
    var rgb = rgbOf(colour);
    if (!rgb) return;
    var white = [255, 255, 255], black = [0, 0, 0];
    var onPrimary = contrast(rgb, white) >= contrast(rgb, black) ? '#ffffff' : '#000000';
    ui.root.style.setProperty('--mcw-primary', colour);
    ui.root.style.setProperty('--mcw-on-primary', onPrimary);
    ui.root.style.setProperty('--mcw-accent', contrast(rgb, white) >= 3 ? colour : 'var(--mcw-text)');
  }

  /* ---------- opening and closing ---------- */

  function openPanel(moveFocus) {
    state.open = true;
    store.set('open', true);
    ui.panel.hidden = false;
    ui.root.classList.add('open');
    ui.launcher.setAttribute('aria-expanded', 'true');
    ui.launcher.setAttribute('aria-label', t('close'));
    scrollToLatest();
    if (moveFocus) ui.input.focus();
  }

  function closePanel() {
    closeMenu(false);
    state.open = false;
    store.set('open', false);
    ui.panel.hidden = true;
    ui.root.classList.remove('open');
    ui.launcher.setAttribute('aria-expanded', 'false');
    ui.launcher.setAttribute('aria-label', t('open'));
    ui.launcher.focus();
  }

  /* ---------- the conversation: history entries and their rendering ---------- */

  function saveHistory() {
    if (state.history.length > HISTORY_LIMIT) state.history = state.history.slice(-HISTORY_LIMIT);
    store.set('history', state.history);
  }

  function addEntry(entry) {
    entry.id = entry.id || newId();
    state.history.push(entry);
    saveHistory();
    removeQuickReplies();
    ui.log.appendChild(renderEntry(entry, true));
    scrollToLatest();
    return entry;
  }

  function renderHistory() {
    ui.log.textContent = '';
    if (!state.history.length) state.history.push({ id: newId(), role: 'bot', key: 'welcome' });
    state.history.forEach(function (entry, i) { ui.log.appendChild(renderEntry(entry, i === state.history.length - 1)); });
    scrollToLatest();
  }

  /* An entry's node: a bubble, its office cards or its plan; the last entry's buttons under it. The outermost
   * node carries the entry's id and its reply's (data-reply: every node of one reply has the same). */
  function renderEntry(entry, last) {
    var say = sayer(entry.lang);
    var cards = validCards(entry.cards || (entry.card ? [entry.card] : null));
    var plan = entry.plan && validPlan(entry.plan);
    var node = plan ? renderPlan(plan, entry, say) : cards.length ? renderCards(cards, entry, say) : renderBubble(entry, say);
    if (last && entry.quick && entry.quick.length) {
      var wrap = el('div', { class: 'entry' });
      wrap.append(node, renderQuickReplies(entry.quick, say));
      node = wrap;
    }
    node.setAttribute('data-entry', entry.id);
    if (typeof entry.reply === 'string') node.setAttribute('data-reply', entry.reply);
    return node;
  }

  /* lang and dir of an assistant's message (the reply's language), none for the visitor's own */
  function speech(entry) {
    return entry.role === 'bot' && entry.lang ? { lang: entry.lang, dir: entry.dir } : {};
  }

  function renderBubble(entry, say) {
    var bot = entry.role !== 'user';
    var bubble = el('div', { class: 'msg ' + (bot ? 'bot' : 'user'), 'data-id': entry.id, lang: speech(entry).lang, dir: speech(entry).dir });
    var said = el('span', { class: 'sr-only' }, say(bot ? 'assistant_said' : 'you_said') + ' ');
    bubble.appendChild(said);
    if (entry.key) { // the greeting: in the widget's language, whichever it is now
      said.setAttribute('data-key', 'assistant_said');
      bubble.appendChild(el('p', { dir: 'auto', 'data-key': entry.key }, t(entry.key)));
    } else if (bot) {
      var body = el('div', { class: 'text', dir: 'auto' });
      body.appendChild(replyTextNodes(entry.text || '', say('new_tab')));
      bubble.appendChild(body);
    } else {
      bubble.appendChild(el('p', { dir: 'auto' }, entry.text || '')); // the visitor's words, as typed
    }
    if (entry.pending) bubble.appendChild(el('span', { class: 'pending' }, t('waiting_to_send')));
    return bubble;
  }

  function safeHttpUrl(text) {
    try {
      var url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) { return null; }
  }

  function link(href, text, say) {
    var a = el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, text);
    a.appendChild(el('span', { class: 'sr-only' }, ' ' + say('new_tab')));
    return a;
  }

  function renderQuickReplies(replies, say) {
    var group = el('div', { class: 'quick', role: 'group', 'aria-label': say('suggestions') });
    replies.forEach(function (reply) {
      var button = el('button', { type: 'button', dir: 'auto' }, reply.title);
      button.addEventListener('click', function () { sendMessage(reply.title, reply.payload); });
      group.appendChild(button);
    });
    return group;
  }

  function removeQuickReplies() {
    Array.prototype.forEach.call(ui.log.querySelectorAll('.quick'), function (group) { group.remove(); });
  }

  function cleanPhone(phone) {
    return String(phone).replace(/[^\d+]/g, '');
  }

  function mailto(email) {
    var m = /^([^\s@<>"]+)@([^\s@<>"]+)$/.exec(String(email));
    return m ? 'mailto:' + encodeURIComponent(m[1]) + '@' + encodeURIComponent(m[2]) : null;
  }

  /* The offices of a "where to go" message (custom.office_cards), one card each. */
  function renderCards(cards, entry, say) {
    var box = el('div', { class: 'cards', 'data-id': entry.id, lang: speech(entry).lang, dir: speech(entry).dir });
    box.appendChild(el('span', { class: 'sr-only' }, say('assistant_said')));
    cards.forEach(function (card) { box.appendChild(renderCard(card, say)); });
    return box;
  }

  /* An office card (bot/core/offices/render.py's office_card): every link built here. The map is found by the
   * street address (the card's OpenStreetMap search, else one built from the address); a card without an
   * address gets no map, which would only show the approximate area. */
  function renderCard(card, say) {
    var box = el('div', { class: 'card', role: 'group', 'aria-label': say('office_card') + ': ' + (card.name || '') });
    if (card.note) box.appendChild(el('p', { class: 'card-note', dir: 'auto' }, card.note)); // "The nearest branch is 12 km from …:"
    box.appendChild(el('p', { class: 'card-name', dir: 'auto' }, card.name || ''));
    if (card.status) box.appendChild(el('p', { class: 'card-status', dir: 'auto' }, card.status));
    var actions = el('div', { class: 'card-actions' });
    if (card.address) {
      var where = el('p', { class: 'card-address', dir: 'auto' });
      where.appendChild(el('span', { class: 'sr-only' }, say('address') + ': '));
      where.appendChild(document.createTextNode(card.address));
      box.appendChild(where);
      if (card.address_note) box.appendChild(el('p', { class: 'card-note', dir: 'auto' }, card.address_note));
      var map = safeHttpUrl(card.map_url || '');
      if (!map || map.indexOf('https://www.openstreetmap.org/search?') !== 0) {
        map = 'https://www.openstreetmap.org/search?query=' + encodeURIComponent(card.address);
      }
      actions.appendChild(link(map, say('show_on_map'), say));
    }
    if (card.phone && cleanPhone(card.phone)) {
      // only digits and "+" are left, so the tel: link needs no escaping; the number is not broken across lines
      var number = String(card.phone).replace(/ /g, '\u00a0');
      actions.appendChild(el('a', { href: 'tel:' + cleanPhone(card.phone) }, say('call', { phone: number })));
    }
    if (card.email && mailto(card.email)) actions.appendChild(el('a', { href: mailto(card.email) }, say('email', { email: card.email })));
    var booking = safeHttpUrl(card.booking || '');
    var website = safeHttpUrl(card.website || '');
    if (booking) actions.appendChild(link(booking, say('book'), say));
    else if (website) actions.appendChild(link(website, say('website'), say));
    if (Array.isArray(card.hours) && card.hours.length) {
      box.appendChild(el('p', { class: 'card-label' }, say('hours')));
      var list = el('ul', { class: 'card-hours' });
      card.hours.forEach(function (line) { list.appendChild(el('li', { dir: 'auto' }, String(line))); });
      box.appendChild(list);
    }
    if (card.accessibility) box.appendChild(el('p', { class: 'card-note', dir: 'auto' }, say('accessibility') + ': ' + card.accessibility));
    box.appendChild(actions);
    return box;
  }

  /* ---------- a plan for the move: a checklist whose ticks stay in this browser ---------- */

  /* Its title, intro, progress and printable/PDF links; a heading per phase over a list of steps, each a labelled
   * checkbox with its note under it and the rest (answer, office card, sources, checked-on date) in a details. */
  function renderPlan(plan, entry, say) {
    var id = 'mcw-plan-' + entry.id;
    var box = el('section', { class: 'plan', 'data-id': entry.id, 'data-plan': plan.key, lang: speech(entry).lang, dir: speech(entry).dir,
      'aria-labelledby': plan.title ? id : null });
    box.appendChild(el('span', { class: 'sr-only' }, say('assistant_said') + ' '));
    if (plan.title) box.appendChild(el('h3', { id: id, class: 'plan-title', dir: 'auto' }, plan.title));
    if (plan.intro) box.appendChild(el('p', { class: 'plan-intro', dir: 'auto' }, plan.intro));
    box.appendChild(el('p', { class: 'plan-progress', role: 'status', dir: 'auto' }));
    var versions = el('div', { class: 'plan-versions' });
    var printable = planUrl(plan.link), pdf = planUrl(plan.pdf);
    if (printable) versions.appendChild(link(printable, say('plan_printable'), say));
    if (pdf) versions.appendChild(link(pdf, say('plan_pdf'), say));
    if (versions.firstChild) box.appendChild(versions);
    var n = 0;
    plan.phases.forEach(function (phase) {
      var heading = id + '-h' + n;
      if (phase.title) box.appendChild(el('h4', { id: heading, class: 'plan-phase-title', dir: 'auto' }, phase.title));
      var list = box.appendChild(el('ul', { class: 'plan-steps', 'aria-labelledby': phase.title ? heading : null }));
      phase.steps.forEach(function (step) { list.appendChild(renderStep(step, id + '-' + (n += 1), say)); });
    });
    showPlanTicks(box);
    return box;
  }

  function renderStep(step, id, say) {
    var item = el('li', { class: 'plan-step' });
    var label = item.appendChild(el('label', { for: id, class: 'plan-check' }));
    label.append(el('input', { type: 'checkbox', id: id, 'data-step': step.id, 'aria-describedby': step.conditional_note ? id + '-note' : null }),
      el('span', { class: 'plan-step-title', dir: 'auto' }, step.title));
    if (step.conditional_note) item.appendChild(el('p', { id: id + '-note', class: 'plan-note', dir: 'auto' }, step.conditional_note));
    var more = el('div', { class: 'plan-more-body' });
    if (step.answer) more.appendChild(el('div', { class: 'text', dir: 'auto' })).appendChild(replyTextNodes(step.answer, say('new_tab')));
    var office = validCards([step.office])[0];
    if (office) more.appendChild(renderCard(office, say));
    var hosts = step.sources.map(replyHttpsUrl).filter(Boolean);
    if (hosts.length) {
      var sources = more.appendChild(el('p', { class: 'plan-sources', dir: 'auto' }, say('plan_sources')));
      hosts.forEach(function (href, i) {
        sources.append(i ? ' · ' : ' ', link(href, new URL(href).hostname.replace(/^www\./, ''), say));
      });
    }
    if (step.checked) more.appendChild(el('p', { class: 'plan-checked', dir: 'auto' }, step.checked));
    if (more.firstChild) {
      var details = item.appendChild(el('details', { class: 'plan-more' }));
      details.append(el('summary', null, say('plan_details')), more);
      details.firstChild.appendChild(el('span', { class: 'sr-only' }, ': ' + step.title));
    }
    return item;
  }

  /* A link of the plan's (a path on the assistant's server) as an address there, nothing else. */
  function planUrl(path) {
    try {
      var url = new URL(path, assistantOrigin);
      return /^\/(?![\/\\])/.test(path) && url.origin === assistantOrigin ? url.href : null;
    } catch (e) { return null; }
  }

  /* A ticked or unticked step: stored (never sent), and shown in every copy of its plan in the log. */
  function onTick(event) {
    var input = event.target;
    var plan = input.closest && input.closest('.plan[data-plan]');
    if (!plan || input.type !== 'checkbox') return;
    var key = plan.getAttribute('data-plan');
    var step = input.getAttribute('data-step');
    var ids = loadTicks(key).filter(function (other) { return other !== step; });
    saveTicks(key, input.checked ? ids.concat(step) : ids);
    showTicks(key);
  }

  function showTicks(key) {
    Array.prototype.forEach.call(ui.log.querySelectorAll('.plan[data-plan]'), function (box) {
      if (!key || box.getAttribute('data-plan') === key) showPlanTicks(box);
    });
  }

  /* A plan's checkboxes as stored, and its progress ("3 of 12 done") in the plan's language. */
  function showPlanTicks(box) {
    var ids = loadTicks(box.getAttribute('data-plan'));
    var inputs = box.querySelectorAll('input[type="checkbox"]');
    var say = sayer(box.getAttribute('lang'));
    var done = Array.prototype.filter.call(inputs, function (input) {
      input.checked = ids.indexOf(input.getAttribute('data-step')) >= 0;
      return input.checked;
    }).length;
    box.querySelector('.plan-progress').textContent = say('plan_progress', { done: done, total: inputs.length });
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  /* The view at the start of the latest reply: its first bubble at the top of the log when the reply is taller
   * than the view; a shorter reply ends at the bottom, whole (the browser keeps scrollTop within range). */
  function scrollToLatest() {
    var last = ui.log.lastElementChild;
    var reply = last && last.getAttribute('data-reply');
    if (!reply) { scrollToEnd(); return; }
    var first = ui.log.querySelector('[data-reply="' + CSS.escape(reply) + '"]');
    var padding = parseFloat(getComputedStyle(ui.log).paddingTop) || 0;
    ui.log.scrollTop += first.getBoundingClientRect().top - ui.log.getBoundingClientRect().top - padding;
    state.landed = true;
  }

  function clearConversation() {
    closeMenu(false);
    startOver([]);
    ui.input.focus();
  }

  /* A new conversation: the stored id, key and history forgotten, the server asked for a fresh session. */
  function startOver(history) {
    state.history = history;
    state.sending = null;
    setSession(null, null);
    saveHistory();
    renderHistory();
    if (state.socket && state.socket.connected) {
      state.sessionPending = true;
      state.socket.emit('session_request', {});
    } // else the connection asks for one when it is back
  }

  function setSession(id, key) {
    state.sessionId = id;
    state.sessionKey = key;
    store.set('session', id);
    store.set('session_key', key);
  }

  /* ---------- the menu: delete my conversation, privacy ---------- */

  function openMenu() {
    ui.menu.hidden = false;
    ui.items.hidden = false;
    ui.confirm.hidden = true;
    ui.menuButton.setAttribute('aria-expanded', 'true');
    ui.clear.focus();
  }

  function closeMenu(returnFocus) {
    if (ui.menu.hidden) return;
    ui.menu.hidden = true;
    ui.menuButton.setAttribute('aria-expanded', 'false');
    if (returnFocus) ui.menuButton.focus();
  }

  function askToDelete() {
    ui.confirmText.textContent = t('delete_confirm');
    ui.items.hidden = true;
    ui.confirm.hidden = false;
    ui.confirmNo.focus(); // the safe choice first
  }

  /* Sends the delete command as a payload; once the server has answered, starts over with its answer shown. */
  function deleteConversation() {
    if (state.deleting) return;
    if (!state.online || state.sessionPending) {
      ui.confirmText.textContent = t('delete_offline');
      return;
    }
    closeMenu(false);
    ui.input.focus();
    state.deleting = [];
    showTyping(true);
    var data = { message: DELETE_PAYLOAD, session_id: state.sessionId, metadata: { lang: state.lang } };
    state.socket.emit('user_uttered', data, function (ack) {
      var answers = state.deleting || [];
      state.deleting = null;
      showTyping(false);
      var entries = answers.map(function (text) { return { id: newId(), role: 'bot', text: text }; });
      if (ack && ack.ok === false) { entries.forEach(addEntry); flush(); return; } // not deleted: the conversation stays
      state.history.forEach(function (e) { if (validPlan(e.plan)) saveTicks(e.plan.key, []); }); // its plans' ticks go too
      startOver(entries);
    });
  }

  /* ---------- sending, with a queue that survives going offline and reloading ---------- */

  function submitInput() {
    var text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = '';
    sendMessage(text, null);
  }

  function sendMessage(text, payload) {
    completeReply(); // a reply still open is shown before the new question
    addEntry({ role: 'user', text: text, payload: payload, lang: state.lang, pending: true });
    flush();
  }

  function markSent(entry) {
    entry.pending = false;
    saveHistory();
    var label = ui.log.querySelector('[data-id="' + CSS.escape(entry.id) + '"] .pending');
    if (!label) return;
    label.remove();
    scrollToLatest(); // the reply shown below the question moved up by the label's height
  }

  function flush() {
    if (!state.online || state.sending || state.sessionPending || state.deleting) return;
    var entry = state.history.filter(function (e) { return e.pending; })[0];
    if (!entry) return;
    state.sending = entry;
    showTyping(true);
    var data = { message: entry.payload || entry.text, session_id: state.sessionId, metadata: { lang: entry.lang || state.lang } };
    // the server acknowledges after its replies went out: until then the message is resent after a reconnection
    state.socket.emit('user_uttered', data, function () {
      completeReply(); // its replies are all in
      markSent(entry);
      if (state.sending === entry) state.sending = null;
      showTyping(false);
      flush();
    });
  }

  function showTyping(on) {
    clearTimeout(state.replyTimer);
    ui.typing.hidden = !on;
    ui.log.setAttribute('aria-busy', on ? 'true' : 'false');
    ui.typingText.textContent = on ? t('typing') : '';
    if (on) {
      scrollToEnd();
      state.replyTimer = setTimeout(function () {
        ui.typing.hidden = true;
        ui.log.setAttribute('aria-busy', 'false');
        ui.typingText.textContent = t('no_reply');
      }, REPLY_TIMEOUT_MS);
    }
  }

  /* ---------- receiving: a reply is collected, then shown at once ---------- */

  function onBotMessage(data) {
    if (!data || typeof data !== 'object') return;
    if (state.deleting) { // the answer to the delete command: shown in the new conversation
      if (typeof data.text === 'string' && data.text) state.deleting.push(data.text);
      return;
    }
    var reply = state.incoming || (state.incoming = { texts: [], custom: null });
    if (typeof data.text === 'string' && data.text) reply.texts.push({ text: data.text, quick: quickReplies(data) });
    if (data.custom && typeof data.custom === 'object') reply.custom = data.custom;
    clearTimeout(state.incomingTimer);
    if (reply.custom && reply.custom.meta) completeReply(); // the meta message is a reply's last
    else state.incomingTimer = setTimeout(completeReply, LONE_REPLY_MS); // nothing else will close this one
  }

  function quickReplies(data) {
    return (data.quick_replies || data.buttons || []).filter(function (q) {
      return q && typeof q.title === 'string' && typeof q.payload === 'string';
    }).map(function (q) { return { title: q.title, payload: q.payload }; });
  }

  /* The reply received so far is shown: at once, or once the strings of its language are loaded. */
  function completeReply() {
    clearTimeout(state.incomingTimer);
    var reply = state.incoming;
    state.incoming = null;
    if (!reply) return;
    var custom = reply.custom || {};
    var meta = custom.meta && typeof custom.meta === 'object' ? custom.meta : {};
    var lang = typeof meta.lang === 'string' && /^[a-z]{2,3}$/.test(meta.lang) ? meta.lang : null;
    var loading = !!(lang && language(lang) && !state.stringsByLang[lang]);
    var show = function () { showReply(reply.texts, custom, lang); };
    if (!loading && !state.waiting) { show(); return; }
    var waiting = (state.waiting || Promise.resolve()).then(function () {
      return loading ? loadStrings(lang).catch(function () { return null; }) : null; // else in the widget's language
    }).then(show).catch(function (error) { console.warn('chat widget: could not show a reply', error); });
    state.waiting = waiting;
    waiting.then(function () { if (state.waiting === waiting) state.waiting = null; });
  }

  /* A reply's entries: its texts, the office cards in place of the text they stand for
   * (custom.office_cards at custom.cards_replace_text) or, without one, after the texts (and the older
   * custom.office_card so too); every entry in the reply's language (custom.meta.lang, custom.direction),
   * so screen readers read each in it; the view at the reply's start. */
  function showReply(texts, custom, lang) {
    var id = newId();
    var dir = custom.direction === 'rtl' ? 'rtl' : 'ltr';
    var entry = function (fields) {
      fields.id = newId();
      fields.role = 'bot';
      fields.reply = id;
      if (lang) { fields.lang = lang; fields.dir = dir; }
      return fields;
    };
    var entries = texts.map(function (m) { return entry({ text: m.text, quick: m.quick }); });
    var cards = validCards(custom.office_cards);
    var at = custom.cards_replace_text;
    if (cards.length && typeof at === 'number' && entries[at]) {
      entries[at].cards = cards;
    } else {
      if (!cards.length && custom.office_card && typeof custom.office_card === 'object') cards = [custom.office_card];
      var last = entries[entries.length - 1];
      if (cards.length) entries.push(entry({ cards: cards, quick: last ? last.quick : [] })); // the buttons move below
      if (cards.length && last) last.quick = [];
    }
    var plan = validPlan(custom.plan);
    if (plan) { // the checklist after the texts that sum it up; the reply's buttons move below it
      var before = entries[entries.length - 1];
      entries.push(entry({ plan: plan, quick: before ? before.quick : [] }));
      if (before) before.quick = [];
    }
    if (entries.length) {
      removeQuickReplies();
      entries.forEach(function (e, i) {
        state.history.push(e);
        ui.log.appendChild(renderEntry(e, i === entries.length - 1));
      });
      saveHistory();
      scrollToLatest();
    }
    var meta = custom.meta || {};
    if (meta.label === 'change_language' && lang && lang !== state.lang && language(lang)) {
      setLanguage(lang, true); // the visitor asked the assistant for another language in words
    }
  }

  /* ---------- the connection ---------- */

  function connect() {
    var socket = io(assistantOrigin, { path: '/socket.io', reconnectionDelay: 1000, reconnectionDelayMax: 10000 });
    state.socket = socket;
    socket.on('connect', function () {
      socket.emit('session_request', state.sessionId ? { session_id: state.sessionId, session_key: state.sessionKey } : {});
    });
    // {session_id, session_key}: the same id when the stored key matched, else a new conversation
    socket.on('session_confirm', function (confirmed) {
      var id = confirmed && typeof confirmed === 'object' ? validText(confirmed.session_id) : validText(confirmed);
      if (id) setSession(id, confirmed && typeof confirmed === 'object' ? validText(confirmed.session_key) : null);
      state.sessionPending = false;
      state.sessionReady = true;
      setOnline();
    });
    socket.on('bot_uttered', onBotMessage);
    socket.on('disconnect', function () {
      completeReply(); // what came of a reply is shown; the question is asked again if it was not acknowledged
      state.sessionReady = false;
      state.sessionPending = false; // the reconnection asks for a session anyway
      if (state.sending) { state.sending = null; showTyping(false); } // no acknowledgement will come: resent later
      if (state.deleting) { state.deleting = null; showTyping(false); } // not confirmed: the visitor may ask again
      setOnline();
    });
    socket.on('connect_error', setOnline);
  }

  function onNetworkChange() {
    if (navigator.onLine !== false && state.socket && !state.socket.connected) state.socket.connect();
    setOnline();
  }

  function setOnline() {
    var socket = state.socket;
    var online = navigator.onLine !== false && !!socket && socket.connected && state.sessionReady;
    state.announceBack = online && !state.online && !!state.everOnline;
    state.online = online;
    if (online) state.everOnline = true;
    renderBanner();
    if (online) flush();
  }

  function renderBanner() {
    clearTimeout(state.bannerTimer);
    if (!state.online) {
      ui.banner.textContent = navigator.onLine === false || state.everOnline ? t('offline') : t('connecting');
      ui.banner.className = 'banner offline';
      ui.root.classList.add('is-offline');
      return;
    }
    ui.root.classList.remove('is-offline');
    if (state.announceBack) {
      ui.banner.textContent = t('online_again');
      ui.banner.className = 'banner online';
      state.bannerTimer = setTimeout(function () { ui.banner.textContent = ''; ui.banner.className = 'banner'; }, 4000);
    } else {
      ui.banner.textContent = '';
      ui.banner.className = 'banner';
    }
  }
}
