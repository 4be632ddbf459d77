// Confirming a commenter through the WhatsApp or Telegram bot (templates/projects/_comments.html):
// while the page shows a code, ask every few seconds whether the bot has received it; once it
// has, say so, and finish at once when the name to show is already typed (unless the page is
// showing why a name was refused).
(function () {
  "use strict";

  var box = document.querySelector(".chat-code-box[data-status-url]");
  if (!box || !window.fetch) return;
  var status = box.querySelector(".chat-status");
  var form = box.querySelector(".chat-confirm-form");
  var name = box.querySelector("#chat-display-name");
  var timer = null;

  function stop() { if (timer) { clearInterval(timer); timer = null; } }

  function check() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        box.dataset.status = answer.status;
        if (answer.status === "received") {
          stop();
          status.textContent = status.dataset.received;
          // Not after a refused name (the page came back with errors): that would loop.
          if (box.dataset.autoSubmit && name && name.value.trim()) form.submit();
          else if (name) name.focus();
        } else if (answer.status === "expired" || answer.status === "none") {
          stop();
          status.textContent = status.dataset.expired;
        }
      })
      .catch(function () { /* the next tick tries again */ });
  }

  timer = setInterval(check, 3000);
})();
