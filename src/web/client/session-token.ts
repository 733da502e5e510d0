const KEY = "atelier.token";

/**
 * Takes a token from a sign-in link (`/#token=atl_…`), keeps it, and removes it from the address
 * at once, so it is not left in the history, in bookmarks or on screen. Returns it, if there was one.
 */
export function takeTokenFromAddress(): string | undefined {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token")?.trim();
  if (params.has("token")) {
    params.delete("token");
    const rest = params.toString();
    history.replaceState(history.state, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
  }
  if (!token) return undefined;
  saveToken(token);
  return token;
}

/** The token this browser signed in with, if any. */
export function savedToken(): string | undefined {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the user signs in on every visit
  }
}

/** Keeps the token for the next visits. */
export function saveToken(token: string): void {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // storage disabled: signed in for this page only
  }
}

/** Forgets the token. */
export function forgetToken(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
