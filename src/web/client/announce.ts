let region: HTMLElement | null = null;
let timer: number | undefined;

/** Tells screen reader users what just happened, through the page's polite live region. */
export function announce(message: string): void {
  region ??= document.getElementById("announcer");
  if (!region) return;
  const el = region;
  // Emptied first so the same message said twice is announced twice.
  el.textContent = "";
  clearTimeout(timer);
  timer = window.setTimeout(() => (el.textContent = message), 50);
}
