// The few things the dashboard does in the browser itself.
window.observe = {
  // Remembers the theme for a year; the server reads the cookie to prerender the next page in it (no flash).
  setTheme(name) {
    document.cookie = `observe-theme=${encodeURIComponent(name)}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.dataset.theme = name;
  },
};
