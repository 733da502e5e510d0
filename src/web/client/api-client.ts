/** An error answer of the API (`{ error: { code, message, details? } }`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let token: string | undefined;
let unauthorized: (() => void) | undefined;

/** Sets the token every API call sends. */
export function useToken(value: string | undefined): void {
  token = value;
}

/** Called when the API answers 401: the token was revoked or mistyped. */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

/** Reports a 401 seen outside apiFetch (an XMLHttpRequest upload). */
export function reportUnauthorized(): void {
  unauthorized?.();
}

/** `Authorization: Bearer …` plus `extra`. */
export function authHeaders(extra?: HeadersInit): Headers {
  const headers = new Headers(extra);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return headers;
}

/** fetch() with the token; a 401 signs out. Network failures reject (TypeError), as fetch does. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, { ...init, headers: authHeaders(init.headers) });
  if (res.status === 401) unauthorized?.();
  return res;
}

/** The ApiError an error answer carries (or a generic one when its body is not ours). */
export async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
  const e = body?.error;
  return new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `The server answered ${res.status}.`, e?.details);
}

/** An API call answering JSON (or nothing, 204); error answers throw ApiError. */
export async function apiJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await apiFetch(path, { ...init, headers: { Accept: "application/json", ...(init.headers as Record<string, string> | undefined) } });
  } catch {
    throw new ApiError(0, "network_error", "Atelier could not be reached. Check the connection and try again.");
  }
  if (!res.ok) throw await errorOf(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A JSON body with its content type, for apiJson. */
export const jsonBody = (method: string, value: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(value),
});

/** What to tell the user about a failed call. */
export const messageOf = (err: unknown): string =>
  err instanceof Error ? err.message : "Something went wrong. Try again.";
