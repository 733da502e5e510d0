import { ApiError, authHeaders } from "./api-client.ts";

/** The status and parsed JSON body of an answer. */
export interface SentAnswer {
  status: number;
  body: unknown;
}

/**
 * POSTs a form with XMLHttpRequest, the one browser API that reports upload progress:
 * `onProgress(sent, total)` while bytes go up, `onSent()` once all are sent (the server is then
 * working on them). Rejects with an ApiError (status 0) if the network fails.
 */
export function sendWithProgress(
  url: string,
  form: FormData,
  on: { onProgress(sent: number, total: number): void; onSent(): void },
  signal?: AbortSignal,
): Promise<SentAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    authHeaders({ Accept: "application/json" }).forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.responseType = "text";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) on.onProgress(e.loaded, e.total);
    });
    xhr.upload.addEventListener("load", () => on.onSent());
    xhr.addEventListener("load", () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says enough
      }
      resolve({ status: xhr.status, body });
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "network_error", "The upload was interrupted. Check the connection and try again.")));
    xhr.addEventListener("abort", () => reject(new DOMException("The upload was stopped.", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}
