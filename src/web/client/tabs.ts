import { readSession, writeSession } from "./session-memory.ts";

const KEY = "atelier.tab";

/**
 * The section tabs (WAI-ARIA tabs pattern): click or Enter/Space selects, arrow keys, Home and
 * End move between tabs. The open tab is kept for reloads. Returns a function that opens a tab by id.
 */
export function setUpTabs(tablist: HTMLElement): (tabId: string) => void {
  const tabs = [...tablist.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const select = (tab: HTMLButtonElement, focus: boolean) => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls") ?? "");
      if (panel) panel.hidden = !selected;
    }
    if (focus) tab.focus();
    writeSession(KEY, tab.id);
  };
  tablist.addEventListener("click", (e) => {
    const tab = (e.target as Element).closest<HTMLButtonElement>('[role="tab"]');
    if (tab) select(tab, false);
  });
  tablist.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length]!, true);
  });
  const saved = tabs.find((t) => t.id === readSession<string>(KEY));
  if (saved) select(saved, false);
  return (tabId) => {
    const tab = tabs.find((t) => t.id === tabId);
    if (tab) select(tab, false);
  };
}
