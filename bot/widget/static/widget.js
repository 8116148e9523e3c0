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
 * gives this code `io` (bot/widget/assets.py). Everything the visitor sees
 * is text: messages go in with textContent, links only for http(s) URLs.
 *
 * The conversation belongs to whoever holds its session key: the server
 * issues the id and its key (session_confirm), both are kept in
 * localStorage, and a reload asks for the same id with its key.
 */
/* global io */
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
  var DELETE_PAYLOAD = '/delete_conversation'; // bot/privacy/commands.py
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
    reply: [],
    replyTimer: null,
    sessionPending: false, // a new session was asked for on a live connection: nothing is sent until it is confirmed
    deleting: null // the delete command's answers while it is under way
  };

  var ui = buildUi();
  applyColours(cfg.primary);
  Promise.all([ui.styled, loadLanguages()]).then(function () {
    return setLanguage(pickLanguage(), false);
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
        (typeof e.text === 'string' || typeof e.key === 'string' || (e.card && typeof e.card === 'object'));
    }).slice(-HISTORY_LIMIT);
  }

  function validText(value) {
    return typeof value === 'string' && value ? value : null;
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

  function setLanguage(code, remember) {
    var cached = store.get('strings:' + code);
    var loaded = getJson('strings/' + encodeURIComponent(code) + '.json').then(function (data) {
      store.set('strings:' + code, data.strings);
      return data.strings;
    }, function (error) {
      if (cached) return cached;
      throw error;
    });
    return loaded.then(function (strings) {
      state.lang = code;
      state.strings = strings;
      if (remember) store.set('lang', code);
      var lang = language(code);
      ui.root.setAttribute('lang', code);
      ui.root.setAttribute('dir', lang && lang.direction === 'rtl' ? 'rtl' : 'ltr');
      ui.select.value = code;
      applyStrings();
    });
  }

  function t(key, values) {
    var text = state.strings[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split('{' + name + '}').join(values[name]); });
    return text;
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
    var langWrap = el('div', { class: 'lang' });
    var langLabel = el('label', { for: 'mcw-lang', class: 'sr-only' });
    var select = el('select', { id: 'mcw-lang' });
    langWrap.append(langLabel, select);
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
    window.addEventListener('offline', function () { onNetworkChange(); });
    window.addEventListener('online', function () { onNetworkChange(); });

    return {
      host: host, styled: styled, root: root, launcher: launcher, panel: panel, title: title, langLabel: langLabel, select: select,
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
    scrollToEnd();
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
    scrollToEnd();
    return entry;
  }

  function renderHistory() {
    ui.log.textContent = '';
    if (!state.history.length) state.history.push({ id: newId(), role: 'bot', key: 'welcome' });
    state.history.forEach(function (entry, i) { ui.log.appendChild(renderEntry(entry, i === state.history.length - 1)); });
    scrollToEnd();
  }

  function renderEntry(entry, last) {
    var node = entry.card ? renderCard(entry.card, entry.id, entry.role === 'bot' && entry.lang ? { lang: entry.lang, dir: entry.dir } : {}) : renderBubble(entry);
    if (last && entry.quick && entry.quick.length) {
      var wrap = el('div', { class: 'entry' });
      wrap.append(node, renderQuickReplies(entry.quick));
      return wrap;
    }
    return node;
  }

  function renderBubble(entry) {
    var speech = entry.role === 'bot' && entry.lang ? { lang: entry.lang, dir: entry.dir } : {};
    var bubble = el('div', { class: 'msg ' + (entry.role === 'user' ? 'user' : 'bot'), 'data-id': entry.id, lang: speech.lang, dir: speech.dir });
    bubble.appendChild(el('span', { class: 'sr-only' }, t(entry.role === 'user' ? 'you_said' : 'assistant_said') + ' '));
    var body = el('p', { dir: 'auto' });
    if (entry.key) {
      body.setAttribute('data-key', entry.key);
      body.textContent = t(entry.key);
    } else {
      appendText(body, entry.text || '');
    }
    bubble.appendChild(body);
    if (entry.pending) bubble.appendChild(el('span', { class: 'pending' }, t('waiting_to_send')));
    return bubble;
  }

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;

  function safeHttpUrl(text) {
    try {
      var url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) { return null; }
  }

  function link(href, text) {
    var a = el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, text);
    a.appendChild(el('span', { class: 'sr-only' }, ' ' + t('new_tab')));
    return a;
  }

  /* Text as text nodes and http(s) URLs as links: nothing is ever parsed as markup. */
  function appendText(parent, text) {
    var at = 0;
    String(text).replace(URL_PATTERN, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]}»”]+$/, '');
      var href = safeHttpUrl(url);
      if (!href) return match;
      parent.appendChild(document.createTextNode(text.slice(at, offset)));
      parent.appendChild(link(href, url));
      at = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function renderQuickReplies(replies) {
    var group = el('div', { class: 'quick', role: 'group', 'aria-label': t('suggestions') });
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

  /* An office card from custom.office_card (bot/offices/render.py): every link built here. */
  function renderCard(card, id, speech) {
    var box = el('div', {
      class: 'card', role: 'group', 'aria-label': t('office_card') + ': ' + (card.name || ''),
      'data-id': id, lang: speech.lang, dir: speech.dir
    });
    box.appendChild(el('p', { class: 'card-name', dir: 'auto' }, card.name || ''));
    if (card.status) box.appendChild(el('p', { class: 'card-status', dir: 'auto' }, card.status));
    var actions = el('div', { class: 'card-actions' });
    if (card.address) {
      var where = el('p', { class: 'card-address', dir: 'auto' });
      where.appendChild(el('span', { class: 'sr-only' }, t('address') + ': '));
      where.appendChild(document.createTextNode(card.address));
      box.appendChild(where);
    }
    var map = safeHttpUrl(card.map_url || '') ||
      (card.address ? 'https://www.openstreetmap.org/search?query=' + encodeURIComponent(card.address) : null);
    if (map) actions.appendChild(link(map, t('show_on_map')));
    if (card.phone && cleanPhone(card.phone)) {
      // only digits and "+" are left, so the tel: link needs no escaping
      actions.appendChild(el('a', { href: 'tel:' + cleanPhone(card.phone) }, t('call', { phone: card.phone })));
    }
    if (card.email && mailto(card.email)) actions.appendChild(el('a', { href: mailto(card.email) }, t('email', { email: card.email })));
    var booking = safeHttpUrl(card.booking || '');
    var website = safeHttpUrl(card.website || '');
    if (booking) actions.appendChild(link(booking, t('book')));
    else if (website) actions.appendChild(link(website, t('website')));
    if (Array.isArray(card.hours) && card.hours.length) {
      box.appendChild(el('p', { class: 'card-label' }, t('hours')));
      var list = el('ul', { class: 'card-hours' });
      card.hours.forEach(function (line) { list.appendChild(el('li', { dir: 'auto' }, line)); });
      box.appendChild(list);
    }
    if (card.accessibility) box.appendChild(el('p', { class: 'card-note', dir: 'auto' }, t('accessibility') + ': ' + card.accessibility));
    box.appendChild(actions);
    return box;
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
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
    state.reply = [];
    addEntry({ role: 'user', text: text, payload: payload, lang: state.lang, pending: true });
    flush();
  }

  function markSent(entry) {
    entry.pending = false;
    saveHistory();
    var bubble = ui.log.querySelector('[data-id="' + entry.id + '"] .pending');
    if (bubble) bubble.remove();
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

  /* ---------- receiving ---------- */

  function onBotMessage(data) {
    if (!data || typeof data !== 'object') return;
    if (state.deleting) { // the answer to the delete command: shown in the new conversation
      if (typeof data.text === 'string' && data.text) state.deleting.push(data.text);
      return;
    }
    var quick = (data.quick_replies || data.buttons || []).filter(function (q) {
      return q && typeof q.title === 'string' && typeof q.payload === 'string';
    }).map(function (q) { return { title: q.title, payload: q.payload }; });
    if (typeof data.text === 'string' && data.text) state.reply.push(addEntry({ role: 'bot', text: data.text, quick: quick }));
    var custom = data.custom;
    if (!custom || typeof custom !== 'object') return;
    if (custom.office_card && typeof custom.office_card === 'object') {
      // the card comes after the reply's text: the reply's buttons ("This did not help") move below it
      var before = state.reply[state.reply.length - 1];
      var quick = before && before.quick ? before.quick : [];
      if (before) before.quick = [];
      state.reply.push(addEntry({ role: 'bot', card: custom.office_card, quick: quick }));
    }
    var meta = custom.meta;
    if (meta && typeof meta.lang === 'string') markReplyLanguage(meta.lang, custom.direction === 'rtl' ? 'rtl' : 'ltr');
    if (meta && meta.label === 'change_language' && meta.lang !== state.lang && language(meta.lang)) {
      setLanguage(meta.lang, true); // the visitor asked the assistant for another language in words
    }
  }

  /* The reply's language and direction come last (custom.meta, custom.direction):
   * screen readers then read each message of the reply in its language. */
  function markReplyLanguage(lang, dir) {
    if (!/^[a-z]{2,3}$/.test(lang)) return;
    state.reply.forEach(function (entry) {
      entry.lang = lang;
      entry.dir = dir;
      var node = ui.log.querySelector('[data-id="' + entry.id + '"]');
      if (node) { node.setAttribute('lang', lang); node.setAttribute('dir', dir); }
    });
    state.reply = [];
    saveHistory();
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
