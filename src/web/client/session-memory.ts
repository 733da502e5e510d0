/**
 * Small JSON values kept in sessionStorage: they survive a reload of this tab (which is what
 * resuming needs) but not the tab itself, and nothing breaks when storage is disabled or full.
 */
export function readSession<T>(key: string): T | undefined {
  try {
    const raw = sessionStorage.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  } catch {
    return undefined;
  }
}

/** Stores `value` under `key` (undefined removes it). */
export function writeSession(key: string, value: unknown): void {
  try {
    if (value === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled: the page still works, it just will not resume after a reload.
  }
}

/** Forgets everything this app kept for the tab (on sign-out). */
export function clearSession(): void {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith("atelier.")) sessionStorage.removeItem(key);
  } catch {
    // nothing kept
  }
}
