// The few things the dashboard does in the browser itself.
window.observe = {
  // Remembers the theme for a year; the server reads the cookie to prerender the next page in it (no flash).
  setTheme(name) {
    document.cookie = `observe-theme=${encodeURIComponent(name)}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.dataset.theme = name;
  },
};

// Reports which rows of a windowed list (the trace waterfall) are on screen, once a frame at most while anything
// scrolls or the window resizes; the server draws those rows. Rows have one height, so the first row on screen is
// how far the list's top is above the viewport's, in rows. Returns a handle whose dispose() stops the reports.
// Keys can come faster than the server draws (a held key, a slow link), so the list keeps the keyboard's place itself:
// Tab (Shift+Tab) on the last (first) drawn row, with more beyond, is held and counted, and focus moves to the row it
// asked for once that row is drawn; and a focused row on screen that the server took away (its window drawn from a
// report older than the focus) is drawn again and given focus back, counting the Tabs pressed meanwhile.
window.observe.watchRows = (list, dotnet, method) => {
  let queued = false;
  let sent = '';
  let focused = null;
  let pending = null;
  // The rows on screen: the first one's index and how many fit, from one row's height.
  const onScreen = () => {
    const height = list.querySelector('[role=row]')?.getBoundingClientRect().height || 1;
    return {
      first: Math.max(0, Math.floor(-list.getBoundingClientRect().top / height)),
      count: Math.ceil(window.innerHeight / height) + 1,
    };
  };
  const report = () => {
    queued = false;
    if (!list.querySelector('[role=row]') || !list.isConnected) {
      return;
    }
    const { first, count } = onScreen();
    const key = `${first}:${count}`;
    if (key !== sent) {
      sent = key;
      dotnet.invokeMethodAsync(method, first, count);
    }
  };
  const queue = () => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(report);
    }
  };
  // aria-rowindex counts the header as row 1 and the table states the rows in all, so list indexes are 2 less.
  const index = row => Number(row.getAttribute('aria-rowindex')) - 2;
  const rows = () => Number(list.parentElement.getAttribute('aria-rowcount')) - 1;
  // Asks for a window holding the wanted row now, rather than after a scroll that has not happened: at the screen's
  // bottom going down, at its top going up.
  const want = (row, step) => {
    pending = Math.min(Math.max(row, 0), rows() - 1);
    const { count } = onScreen();
    sent = '';
    dotnet.invokeMethodAsync(method, Math.max(0, step > 0 ? pending - count + 2 : pending), count);
  };
  const focusPending = () => {
    const row = pending === null ? null : list.querySelector(`[role=row][aria-rowindex="${pending + 2}"]`);
    if (row) {
      pending = null;
      row.focus();
    }
  };
  const onKey = event => {
    if (event.key !== 'Tab' || event.altKey || event.ctrlKey || event.metaKey || !list.isConnected) {
      return;
    }
    const step = event.shiftKey ? -1 : 1;
    if (pending !== null) {
      event.preventDefault();
      want(pending + step, step);
      return;
    }
    const row = event.target instanceof Element ? event.target.closest('[role=row]') : null;
    const beyond = row && (step > 0 ? row.nextElementSibling : row.previousElementSibling);
    if (row?.parentElement === list && beyond?.hasAttribute('data-spacer')) {
      event.preventDefault();
      want(index(row) + step, step);
    }
  };
  const drawn = new MutationObserver(() => {
    if (pending === null && focused && !focused.isConnected && list.isConnected) {
      // Only a row still on screen: one the reader scrolled away from leaves with its window, as in any long list.
      const row = index(focused);
      const { first, count } = onScreen();
      focused = null;
      if (row >= first - 1 && row <= first + count) {
        want(row, 1);
      }
    }
    focusPending();
  });
  // Focus on a row is remembered; focus anywhere else (a click, the page's own keys) drops a held place.
  const onFocus = event => {
    if (list.contains(event.target)) {
      focused = event.target.closest?.('[role=row]') ?? null;
    } else {
      focused = null;
      pending = null;
    }
  };
  drawn.observe(list, { childList: true });
  // On the document, capturing: while a focused row is drawn again, focus is on the page's body.
  document.addEventListener('keydown', onKey, true);
  document.addEventListener('focusin', onFocus);
  // Capturing on the window hears the scroll of whichever element scrolls the page.
  window.addEventListener('scroll', queue, { capture: true, passive: true });
  window.addEventListener('resize', queue);
  queue();
  return {
    dispose() {
      drawn.disconnect();
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('focusin', onFocus);
      window.removeEventListener('scroll', queue, { capture: true });
      window.removeEventListener('resize', queue);
    },
  };
};

// The reconnect box's reload buttons; a listener here rather than an inline onclick, which the Content-Security-Policy refuses.
document.addEventListener('click', (event) => {
  if (event.target instanceof Element && event.target.closest('[data-reload]')) {
    location.reload();
  }
});
