/* The reply text format as DOM nodes: the web widget's renderer.
 *
 * Every text the assistant sends is a small Markdown subset (the reply
 * contract; bot/core/markup.py writes the same grammar out for the
 * messengers): paragraphs separated by a blank line; a single "\n" is a real
 * line break; lines starting with "- " are list items; **bold**; links
 * [label](https://url). Nothing else is markup.
 *
 * Here it becomes <p>, <br>, <ul><li>, <strong> and <a>, built node by node:
 * every piece of text goes in as a text node, never as markup. Only https
 * links become links (a new tab, rel="noopener noreferrer"); any other
 * address leaves its label as plain text. A bare https URL left in the text
 * is shown as its host ("pmlp.gov.lv"), so no long address fills a phone's
 * screen. assets.py puts this file into the widget's bundle before widget.js,
 * inside the bundle's function: nothing here reaches the host page.
 */
'use strict';

var REPLY_LINK = /\[([^[\]\n]+)\]\((https?:\/\/[^\s()<>"]+)\)/g;
var REPLY_BARE_URL = /\bhttps?:\/\/[^\s<>"']+/gi;
var REPLY_URL_TAIL = /[.,;:!?)\]}»”]+$/;
var REPLY_LIST_MARK = '- ';
var REPLY_BOLD_MARK = '**';

/* `text` as a fragment of <p> and <ul> blocks; `newTab` is the hidden "(opens in a new tab)" said after each link. */
function replyTextNodes(text, newTab) {
  var fragment = document.createDocumentFragment();
  replyParagraphs(text).forEach(function (paragraph) {
    var list = null;
    var para = null;
    paragraph.split('\n').forEach(function (line) {
      if (line.indexOf(REPLY_LIST_MARK) === 0) {
        para = null;
        if (!list) list = fragment.appendChild(document.createElement('ul'));
        var item = list.appendChild(document.createElement('li'));
        appendReplyLine(item, line.slice(REPLY_LIST_MARK.length).replace(/^\s+/, ''), newTab);
        return;
      }
      list = null;
      if (para) para.appendChild(document.createElement('br'));
      else para = fragment.appendChild(document.createElement('p'));
      appendReplyLine(para, line, newTab);
    });
  });
  return fragment;
}

/* Line ends made "\n", trailing spaces dropped, the text cut at blank lines. */
function replyParagraphs(text) {
  var lines = String(text).replace(/\r\n?/g, '\n').split('\n').map(function (line) { return line.replace(/\s+$/, ''); });
  return lines.join('\n').split(/\n{2,}/).map(function (p) { return p.replace(/^\n+|\n+$/g, ''); }).filter(Boolean);
}

/* One line: links first, then paired ** around anything (an unpaired last ** stays text), then bare URLs. */
function appendReplyLine(parent, line, newTab) {
  var pieces = [];
  var at = 0;
  line.replace(REPLY_LINK, function (match, label, url, offset) {
    pieces = pieces.concat(replyBoldSplit(line.slice(at, offset)));
    pieces.push({ label: label.split(REPLY_BOLD_MARK).join('').trim() || url, url: url });
    at = offset + match.length;
    return match;
  });
  pieces = pieces.concat(replyBoldSplit(line.slice(at)));
  var switches = [];
  pieces.forEach(function (piece, i) { if (piece === true) switches.push(i); });
  if (switches.length % 2) pieces[switches[switches.length - 1]] = REPLY_BOLD_MARK;
  var target = parent;
  pieces.forEach(function (piece) {
    if (piece === true) {
      target = target === parent ? parent.appendChild(document.createElement('strong')) : parent;
    } else if (typeof piece === 'string') {
      appendReplyText(target, piece, newTab);
    } else {
      var href = replyHttpsUrl(piece.url);
      target.appendChild(href ? replyLink(href, piece.label, newTab) : document.createTextNode(piece.label));
    }
  });
}

function replyBoldSplit(text) {
  var parts = [];
  text.split(REPLY_BOLD_MARK).forEach(function (chunk, i) {
    if (i) parts.push(true);
    if (chunk) parts.push(chunk);
  });
  return parts;
}

/* Text with any bare https URL shown as a link named by its host. */
function appendReplyText(parent, text, newTab) {
  var at = 0;
  text.replace(REPLY_BARE_URL, function (match, offset) {
    var url = match.replace(REPLY_URL_TAIL, '');
    var href = replyHttpsUrl(url);
    if (!href) return match;
    parent.appendChild(document.createTextNode(text.slice(at, offset)));
    parent.appendChild(replyLink(href, new URL(href).hostname.replace(/^www\./, ''), newTab));
    at = offset + url.length;
    return match;
  });
  parent.appendChild(document.createTextNode(text.slice(at)));
}

function replyHttpsUrl(text) {
  try {
    var url = new URL(text);
    return url.protocol === 'https:' ? url.href : null;
  } catch (e) { return null; }
}

function replyLink(href, label, newTab) {
  var a = document.createElement('a');
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.textContent = label;
  if (newTab) {
    var hint = a.appendChild(document.createElement('span'));
    hint.className = 'sr-only';
    hint.textContent = ' ' + newTab;
  }
  return a;
}
