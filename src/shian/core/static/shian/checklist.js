// The phone checklist (core/_checklist.html): big 是 / 否 / 合理缺项 buttons over real radio inputs,
// 全部符合 (every unanswered item becomes 是), a live "checked n / N" counter, and the note and camera
// opened for 否. Progressive enhancement: without this script the radios, notes and camera inputs are all
// on the page and the form posts the same fields. Our own code; no library.
(function () {
  "use strict";
  if (window.shianChecklist) { window.shianChecklist.init(document); return; }  // included twice

  function scopeOf(el) { return el.closest("form") || el.closest("[data-checklist]") || document; }
  function cardsIn(scope) { return scope.querySelectorAll("[data-checklist] [data-item]"); }
  function answerOf(card) {
    var checked = card.querySelector('input[type="radio"]:checked'), choice = checked && checked.closest("[data-answer]");
    return choice ? choice.dataset.answer : "";
  }
  function entered(card) {  // a note written or a photo chosen keeps the detail open whatever the answer
    var note = card.querySelector(".cl-detail textarea"), file = card.querySelector('.cl-detail input[type="file"]');
    return !!((note && note.value.trim()) || (file && file.files && file.files.length));
  }

  function paint(card) {
    var answer = answerOf(card), more = card.querySelector("[data-more]");
    card.dataset.state = answer;
    card.classList.remove("cl-missing");
    card.querySelectorAll("[data-answer]").forEach(function (choice) {
      choice.classList.toggle("is-on", choice.dataset.answer === answer);
    });
    var open = answer === "no" || card.dataset.opened === "1" || entered(card);
    card.classList.toggle("cl-open", open);
    if (more) more.hidden = open;
  }

  function count(scope) {
    var answered = 0, failed = 0, cards = cardsIn(scope);
    cards.forEach(function (card) {
      var answer = answerOf(card);
      if (answer) answered += 1;
      if (answer === "no") failed += 1;
    });
    scope.querySelectorAll("[data-count]").forEach(function (el) { el.textContent = String(answered); });
    scope.querySelectorAll("[data-total]").forEach(function (el) { el.textContent = String(cards.length); });
    scope.querySelectorAll("[data-fail-count]").forEach(function (el) { el.textContent = String(failed); });
    scope.querySelectorAll("[data-fails]").forEach(function (el) { el.hidden = failed === 0; });
    if (answered === cards.length) {
      scope.querySelectorAll("[data-missing-message]").forEach(function (el) { el.hidden = true; });
    }
    return cards.length - answered;
  }

  function setup(list) {
    if (list.dataset.ready) return;
    list.dataset.ready = "1";
    list.classList.add("cl-js");
    list.querySelectorAll(".cl-nojs").forEach(function (el) { el.remove(); });
    list.querySelectorAll("[data-all-ok], [data-more], [data-tip]").forEach(function (el) { el.hidden = false; });
    list.querySelectorAll("[data-item]").forEach(paint);
    count(scopeOf(list));
  }
  function init(root) {
    if (root.matches && root.matches("[data-checklist].cl-edit")) setup(root);
    root.querySelectorAll("[data-checklist].cl-edit").forEach(setup);
  }
  function refresh(scope) {
    cardsIn(scope).forEach(paint);
    count(scope);
  }

  document.addEventListener("change", function (ev) {
    var card = ev.target.closest && ev.target.closest("[data-checklist] [data-item]");
    if (!card) return;
    paint(card);
    count(scopeOf(card));
  });

  document.addEventListener("click", function (ev) {
    var allOk = ev.target.closest("[data-all-ok]");
    if (allOk) {
      ev.preventDefault();
      var scope = scopeOf(allOk), changed = false;
      cardsIn(scope).forEach(function (card) {
        if (answerOf(card)) return;
        var yes = card.querySelector('[data-answer="yes"] input[type="radio"]');
        if (yes) { yes.checked = true; changed = true; paint(card); }
      });
      count(scope);
      // tell whoever keeps a draft of the form (inspection.js) that fields changed
      if (changed && scope.dispatchEvent) scope.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var more = ev.target.closest("[data-more]");
    if (more) {
      var card = more.closest("[data-item]");
      card.dataset.opened = "1";
      paint(card);
      var note = card.querySelector(".cl-detail textarea");
      if (note) note.focus();
    }
  });

  // a checklist that must be complete: show what is left instead of sending (the server refuses it too)
  document.addEventListener("submit", function (ev) {
    var form = ev.target, list = form.querySelector("[data-checklist][data-require-all]");
    if (!list || !list.dataset.ready) return;
    var left = [];
    cardsIn(form).forEach(function (card) { if (!answerOf(card)) left.push(card); });
    if (!left.length) return;
    ev.preventDefault();
    left.forEach(function (card) { card.classList.add("cl-missing"); });
    form.querySelectorAll("[data-missing-message]").forEach(function (el) { el.hidden = false; });
    left[0].scrollIntoView({ behavior: "smooth", block: "center" });
  });

  // a draft restored into the form (inspection.js), or a tab loaded by htmx
  document.addEventListener("shian:restored", function (ev) { refresh(ev.target.closest ? scopeOf(ev.target) : document); });
  document.addEventListener("htmx:load", function (ev) { if (ev.target && ev.target.querySelectorAll) init(ev.target); });

  window.shianChecklist = { init: init, refresh: refresh };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
