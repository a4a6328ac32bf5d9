/*!
 * Werkwijzer website widget (EUPL-1.2). No build step, no framework.
 *
 * Embed on any page with one tag:
 *   <script src="https://assistant.example/static/widget.js"
 *           data-rasa-url="https://rasa.example" data-language="nl" defer></script>
 *
 * - Talks to the Rasa server over socket.io (`session_request`/`session_confirm`,
 *   `user_uttered`/`bot_uttered`); the socket.io client is served next to this file.
 * - The conversation (and messages not yet sent) is kept in sessionStorage: it survives a reload
 *   of the page, not the closing of the tab. Messages typed while the connection is down are
 *   queued and sent, in order, when it is back; the server answers a repeated message only once.
 * - Every text is put on the page as text (textContent), never as HTML; web addresses in the
 *   assistant's texts become links.
 * - A bot text that starts with U+200F RIGHT-TO-LEFT MARK turns the conversation right-to-left.
 * - The server's acknowledgement of a message says the conversation's language
 *   (`{"status": "received", "language": "ar"}`); the language menu and the widget's own texts
 *   follow it, so a user who switches by writing in another language sees the menu follow.
 * - Helpdesk: messages of a person arrive over an EventSource at
 *   `<this file's origin>/api/widget/events?conversation_id=<session id>&token=<stream token>`;
 *   the Rasa server sends the token (`helpdesk_stream_token`) only to the widget that started
 *   the conversation, and it is kept with the conversation in sessionStorage.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__werkwijzerWidget) {
    return;
  }
  window.__werkwijzerWidget = true;

  var RLM = "\u200F";
  var MAX_STORED_MESSAGES = 200;
  var MAX_SEEN_REPLIES = 400;
  var MAX_LENGTH = 2000;
  var EVENTS_RETRY_MS = [5000, 15000, 60000, 300000];

  var source = new URL(script.src, window.location.href);
  var staticBase = source.href.slice(0, source.href.lastIndexOf("/") + 1);
  var webOrigin = source.origin;
  var rasaUrl = (script.getAttribute("data-rasa-url") || webOrigin).replace(/\/+$/, "");
  var pageLanguage = (script.getAttribute("data-language") || "").toLowerCase();
  var browserLanguage = ((navigator.languages && navigator.languages[0]) || navigator.language || "")
    .slice(0, 2).toLowerCase();
  var storageKey = "werkwijzer-widget:" + rasaUrl;

  var state = loadState();
  var catalogue = null; // {default, languages: [{code, name, direction, texts}]}
  var ui = {};
  var socket = null;
  var connected = false;
  var events = null;
  var eventsAttempt = 0;

  // ---- state kept in sessionStorage ---------------------------------------------------------

  function emptyState() {
    return { sessionId: null, streamToken: null, messages: [], pending: [], seen: [], seenEvents: [], language: null, open: false, rtl: false };
  }

  function loadState() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(storageKey) || "null");
      if (stored && Array.isArray(stored.messages) && Array.isArray(stored.pending)) {
        var fresh = emptyState();
        Object.keys(fresh).forEach(function (key) {
          if (stored[key] === undefined) { stored[key] = fresh[key]; }
        });
        return stored;
      }
    } catch (ignored) { /* storage blocked or corrupt: start afresh */ }
    return emptyState();
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    state.seen = state.seen.slice(-MAX_SEEN_REPLIES);
    state.seenEvents = state.seenEvents.slice(-MAX_SEEN_REPLIES);
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(state));
    } catch (ignored) { /* storage full or blocked: the conversation still works */ }
  }

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- texts ----------------------------------------------------------------------------------

  function language() {
    var codes = catalogue.languages.map(function (l) { return l.code; });
    var wanted = [state.language, pageLanguage, browserLanguage, catalogue["default"]];
    for (var i = 0; i < wanted.length; i++) {
      if (wanted[i] && codes.indexOf(wanted[i]) !== -1) { return wanted[i]; }
    }
    return codes[0];
  }

  function languageInfo(code) {
    return catalogue.languages.filter(function (l) { return l.code === code; })[0] || catalogue.languages[0];
  }

  function t(key) {
    var texts = languageInfo(language()).texts;
    return texts[key] !== undefined ? texts[key] : languageInfo(catalogue["default"]).texts[key] || "";
  }

  // ---- DOM helpers (text only, never HTML) ---------------------------------------------------

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var LINK = /(?<![@\w.\/-])(https?:\/\/[^\s<>"']+|(?:[a-z0-9-]+\.)+(?:nl|com|org|net|eu|info)(?:\/[^\s<>"']*)?)/gi;

  function appendLinkedText(parent, text) {
    var last = 0;
    text.replace(LINK, function (match, _group, offset) {
      var address = match.replace(/[.,;:!?)\]]+$/, "");
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var href = /^https?:\/\//i.test(address) ? address : "https://" + address;
      var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, address);
      parent.appendChild(link);
      last = offset + address.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---- building the widget ---------------------------------------------------------------------

  function build() {
    var link = el("link", { rel: "stylesheet", href: staticBase + "widget.css" });
    document.head.appendChild(link);

    ui.root = el("aside", { "class": "ww", id: "werkwijzer-widget" });
    ui.launcher = el("button", { type: "button", "class": "ww-launcher", "aria-expanded": "false", "aria-controls": "ww-panel" });
    ui.panel = el("section", { "class": "ww-panel", id: "ww-panel", "aria-labelledby": "ww-title" });
    ui.panel.hidden = true;

    var header = el("div", { "class": "ww-header" });
    ui.title = el("h2", { id: "ww-title", "class": "ww-title" });
    ui.languageLabel = el("label", { "for": "ww-language", "class": "ww-hidden" });
    ui.languageMenu = el("select", { id: "ww-language", "class": "ww-language" });
    catalogue.languages.forEach(function (l) {
      var option = el("option", { value: l.code, lang: l.code, dir: l.direction }, l.name);
      ui.languageMenu.appendChild(option);
    });
    ui.close = el("button", { type: "button", "class": "ww-close" });
    ui.close.appendChild(el("span", { "aria-hidden": "true" }, "\u00D7"));
    ui.closeLabel = el("span", { "class": "ww-hidden" });
    ui.close.appendChild(ui.closeLabel);
    header.appendChild(ui.title);
    header.appendChild(ui.languageLabel);
    header.appendChild(ui.languageMenu);
    header.appendChild(ui.close);

    ui.privacy = el("p", { id: "ww-privacy", "class": "ww-privacy" });
    ui.status = el("p", { "class": "ww-status", role: "status" });
    ui.log = el("div", { "class": "ww-log", role: "log", "aria-live": "polite", "aria-labelledby": "ww-title", tabindex: "0" });
    state.messages.forEach(function (message) { ui.log.appendChild(renderMessage(message)); });

    ui.form = el("form", { "class": "ww-form" });
    ui.inputLabel = el("label", { "for": "ww-input", "class": "ww-hidden" });
    ui.input = el("textarea", { id: "ww-input", "class": "ww-input", rows: "2", maxlength: String(MAX_LENGTH), "aria-describedby": "ww-privacy", dir: "auto" });
    ui.send = el("button", { type: "submit", "class": "ww-send" });
    ui.form.appendChild(ui.inputLabel);
    ui.form.appendChild(ui.input);
    ui.form.appendChild(ui.send);

    ui.panel.appendChild(header);
    ui.panel.appendChild(ui.privacy);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.form);
    ui.root.appendChild(ui.launcher);
    ui.root.appendChild(ui.panel);
    document.body.appendChild(ui.root);

    ui.launcher.addEventListener("click", function () { setOpen(ui.panel.hidden); });
    ui.close.addEventListener("click", function () { setOpen(false); });
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { setOpen(false); }
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) { return; }
      ui.input.value = "";
      say(text, text);
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (ui.form.requestSubmit) { ui.form.requestSubmit(); } else { ui.send.click(); }
      }
    });
    ui.languageMenu.addEventListener("change", function () {
      var chosen = languageInfo(ui.languageMenu.value);
      state.language = chosen.code;
      state.rtl = chosen.direction === "rtl";
      saveState();
      applyTexts();
      say("/choose_language{\"language\":\"" + chosen.code + "\"}", chosen.name);
    });

    applyTexts();
    setOpen(state.open, true);
    setOnline(true);
  }

  function applyTexts() {
    var code = language();
    ui.root.setAttribute("lang", code);
    ui.root.setAttribute("dir", state.rtl ? "rtl" : "ltr");
    ui.root.setAttribute("aria-label", t("title"));
    ui.launcher.textContent = t("open");
    ui.title.textContent = t("title");
    ui.languageLabel.textContent = t("language");
    ui.languageMenu.value = code;
    ui.closeLabel.textContent = t("close");
    ui.close.setAttribute("title", t("close"));
    ui.privacy.textContent = t("privacy");
    ui.inputLabel.textContent = t("input_label");
    ui.input.setAttribute("placeholder", t("placeholder"));
    ui.send.textContent = t("send");
    Array.prototype.forEach.call(ui.log.querySelectorAll("[data-who]"), function (label) {
      label.textContent = t(label.getAttribute("data-who")) + ": ";
    });
  }

  function setOpen(open, initial) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    state.open = open;
    saveState();
    if (initial) { return; }
    if (open) {
      ui.input.focus();
      scrollToEnd();
    } else {
      ui.launcher.focus();
    }
  }

  function setOnline(online) {
    connected = online && !!state.sessionId && !!socket && socket.connected;
    ui.status.textContent = online ? "" : t("offline");
    ui.status.hidden = online;
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // ---- messages ------------------------------------------------------------------------------

  function renderMessage(message) {
    var item = el("div", { "class": "ww-message ww-" + message.who });
    var who = el("span", { "class": "ww-hidden", "data-who": message.who === "user" ? "you" : message.who });
    who.textContent = catalogue ? t(who.getAttribute("data-who")) + ": " : "";
    item.appendChild(who);
    var text = el("p", { "class": "ww-text", dir: "auto" });
    appendLinkedText(text, message.text || "");
    item.appendChild(text);
    if (message.buttons && message.buttons.length) {
      var group = el("div", { "class": "ww-buttons", role: "group" });
      message.buttons.forEach(function (button) {
        var choice = el("button", { type: "button", "class": "ww-choice", dir: "auto" }, button.title);
        choice.addEventListener("click", function () {
          say(button.payload, button.title);
          ui.input.focus();
        });
        group.appendChild(choice);
      });
      item.appendChild(group);
    }
    return item;
  }

  function show(message) {
    state.messages.push(message);
    saveState();
    ui.log.appendChild(renderMessage(message));
    scrollToEnd();
  }

  function say(payload, shown) {
    show({ who: "user", text: shown });
    state.pending.push({ id: newId(), message: payload.slice(0, MAX_LENGTH) });
    saveState();
    flush();
  }

  function flush() {
    if (!connected) { return; }
    state.pending.forEach(function (pending) {
      if (pending.inFlight) { return; }
      pending.inFlight = true;
      var data = { message: pending.message, session_id: state.sessionId, message_id: pending.id };
      if (browserLanguage) { data.metadata = { language_hint: browserLanguage }; }
      socket.emit("user_uttered", data, function (ack) {
        state.pending = state.pending.filter(function (p) { return p.id !== pending.id; });
        saveState();
        followLanguage(ack && ack.language);
      });
    });
  }

  function followLanguage(code) {
    var known = catalogue.languages.some(function (l) { return l.code === code; });
    if (!known || code === language()) { return; }
    state.language = code;
    state.rtl = languageInfo(code).direction === "rtl";
    saveState();
    applyTexts();
  }

  function receiveBot(data) {
    if (!data || typeof data !== "object") { return; }
    if (data.reply_to) {
      var key = data.reply_to + ":" + data.index;
      if (state.seen.indexOf(key) !== -1) { return; }
      state.seen.push(key);
    }
    var text = typeof data.text === "string" ? data.text : "";
    var buttons = (data.quick_replies || data.buttons || []).filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) { return { title: b.title, payload: b.payload }; });
    if (!text && !buttons.length) { return; }
    showBot(text, buttons);
  }

  function showBot(text, buttons) {
    if (text) {
      state.rtl = text.charAt(0) === RLM;
      ui.root.setAttribute("dir", state.rtl ? "rtl" : "ltr");
    }
    show({ who: "bot", text: text, buttons: buttons || [] });
  }

  // ---- connections ---------------------------------------------------------------------------

  function connect(io) {
    socket = io(rasaUrl, { path: "/socket.io", transports: ["websocket"], reconnectionDelayMax: 10000 });
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("helpdesk_stream_token", function (data) {
      if (!data || typeof data.session_id !== "string" || typeof data.token !== "string") { return; }
      state.streamToken = { sessionId: data.session_id, token: data.token };
      saveState();
    });
    socket.on("session_confirm", function (sessionId) {
      if (typeof sessionId !== "string") { return; }
      state.sessionId = sessionId;
      state.pending.forEach(function (p) { p.inFlight = false; });
      saveState();
      setOnline(true);
      flush();
      listenToHelpdesk();
    });
    socket.on("disconnect", function () {
      connected = false;
      setOnline(false);
    });
    socket.on("connect_error", function () { setOnline(false); });
    socket.on("bot_uttered", receiveBot);
  }

  function listenToHelpdesk() {
    var key = state.streamToken;
    if (events || !window.EventSource || !state.sessionId || !key || key.sessionId !== state.sessionId) { return; }
    events = new EventSource(webOrigin + "/api/widget/events?conversation_id=" + encodeURIComponent(state.sessionId) +
      "&token=" + encodeURIComponent(key.token));
    events.onopen = function () { eventsAttempt = 0; };
    events.onmessage = function (event) {
      if (event.lastEventId) {
        if (state.seenEvents.indexOf(event.lastEventId) !== -1) { return; }
        state.seenEvents.push(event.lastEventId);
      }
      var data;
      try { data = JSON.parse(event.data); } catch (ignored) { return; }
      if (!data || typeof data.text !== "string" || !data.text) { return; }
      if (data.type === "agent_message") { show({ who: "person", text: data.text }); }
      if (data.type === "handoff_closed") { showBot(data.text); }
    };
    events.onerror = function () {
      if (events.readyState !== EventSource.CLOSED) { return; } // the browser reconnects itself
      events = null;
      var wait = EVENTS_RETRY_MS[Math.min(eventsAttempt, EVENTS_RETRY_MS.length - 1)];
      eventsAttempt += 1;
      window.setTimeout(listenToHelpdesk, wait); // e.g. 404 while there is no helpdesk: try later, quietly
    };
  }

  function loadSocketIo() {
    return new Promise(function (resolve, reject) {
      var previous = window.io;
      var tag = el("script", { src: staticBase + "socket.io.min.js" });
      tag.onload = function () {
        var io = window.io;
        if (previous === undefined) { delete window.io; } else { window.io = previous; }
        resolve(io);
      };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function loadTexts(attempt) {
    return fetch(webOrigin + "/widget/texts").then(function (reply) {
      if (!reply.ok) { throw new Error("texts: HTTP " + reply.status); }
      return reply.json();
    }).catch(function () {
      return new Promise(function (resolve) {
        window.setTimeout(function () { resolve(loadTexts(attempt + 1)); }, Math.min(30000, 1000 * Math.pow(2, attempt)));
      });
    });
  }

  function start() {
    Promise.all([loadTexts(0), loadSocketIo()]).then(function (loaded) {
      catalogue = loaded[0];
      build();
      connect(loaded[1]);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
