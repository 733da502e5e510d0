import { apiFetch } from "./api-client.ts";

/** Object URLs kept at most; the oldest is released past this. */
const MAX_CACHED = 300;

// API images need the token, which an <img src> cannot send: they are fetched and shown as blobs.
const cache = new Map<string, Promise<string>>();
let observer: IntersectionObserver | undefined;

/** An object URL of the API image at `url` (fetched once, then cached); rejects on an error answer. */
export function authedImageUrl(url: string): Promise<string> {
  const hit = cache.get(url);
  if (hit) {
    // Most recently used last, so the oldest is the one released.
    cache.delete(url);
    cache.set(url, hit);
    return hit;
  }
  const loading = apiFetch(url).then(async (res) => {
    if (!res.ok) throw new Error(`the image answered ${res.status}`); // not a TypeError: not retried
    return URL.createObjectURL(await res.blob());
  });
  loading.catch(() => cache.delete(url));
  cache.set(url, loading);
  while (cache.size > MAX_CACHED) {
    const [oldest, value] = cache.entries().next().value as [string, Promise<string>];
    cache.delete(oldest);
    // An <img> that shows it keeps its decoded picture.
    value.then((u) => URL.revokeObjectURL(u)).catch(() => {});
  }
  return loading;
}

/**
 * Shows the API image `url` in `img` (its address is kept in data-src). `lazy`: only once the
 * image is near the viewport. On failure the image gets the `--missing` look and its alt text.
 */
export function showApiImage(img: HTMLImageElement, url: string, options: { lazy?: boolean } = {}): void {
  img.dataset.src = url;
  if (!options.lazy || typeof IntersectionObserver === "undefined") return void load(img);
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting || !(e.target instanceof HTMLImageElement)) continue;
        observer?.unobserve(e.target);
        load(e.target);
      }
    },
    { rootMargin: "300px" },
  );
  observer.observe(img);
}

/** Network failures are tried again this many times (after 0.5, 1 and 2 s); error answers are not. */
const RETRIES = 3;

function load(img: HTMLImageElement, attempt = 0): void {
  const url = img.dataset.src;
  if (!url) return;
  authedImageUrl(url).then(
    (objectUrl) => {
      if (img.dataset.src !== url) return;
      img.src = objectUrl;
      img.classList.remove("thumb--missing");
      delete img.dataset.failed;
    },
    (err: unknown) => {
      if (img.dataset.src !== url) return;
      if (err instanceof TypeError && attempt < RETRIES) return void setTimeout(() => load(img, attempt + 1), 500 * 2 ** attempt);
      img.classList.add("thumb--missing");
      img.dataset.failed = "true";
    },
  );
}

// Back online: the images that could not be fetched are tried again.
window.addEventListener("online", () => {
  for (const img of document.querySelectorAll<HTMLImageElement>("img[data-failed]")) load(img);
});

/** Releases every cached image (sign-out). */
export function releaseImages(): void {
  for (const p of cache.values()) p.then((u) => URL.revokeObjectURL(u)).catch(() => {});
  cache.clear();
}
