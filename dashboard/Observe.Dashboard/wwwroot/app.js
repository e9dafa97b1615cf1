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
window.observe.watchRows = (list, dotnet, method) => {
  let queued = false;
  let sent = '';
  const report = () => {
    queued = false;
    const row = list.querySelector('[role=row]');
    if (!row || !list.isConnected) {
      return;
    }
    const height = row.getBoundingClientRect().height || 1;
    const first = Math.max(0, Math.floor(-list.getBoundingClientRect().top / height));
    const count = Math.ceil(window.innerHeight / height) + 1;
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
  // Capturing on the window hears the scroll of whichever element scrolls the page.
  window.addEventListener('scroll', queue, { capture: true, passive: true });
  window.addEventListener('resize', queue);
  queue();
  return {
    dispose() {
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
