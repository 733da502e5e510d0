import { gzipSync } from "bun";

/** One file of the bundled web app, ready to serve. */
export interface WebAsset {
  body: Uint8Array<ArrayBuffer>;
  /** Gzip of `body`, made once; undefined when it would not be smaller. */
  gzip: Uint8Array<ArrayBuffer> | undefined;
  type: string;
  /** A hash of `body`, unquoted. */
  etag: string;
}

/** The web app: the HTML shell and its hashed assets, by file name. */
export interface WebBundle {
  html: WebAsset;
  assets: ReadonlyMap<string, WebAsset>;
}

/** URL prefix of the bundled assets; their names carry a content hash, so they never change. */
export const ASSETS_PREFIX = "/assets/";

const ENTRY = new URL("./client/index.html", import.meta.url).pathname;

let cached: Promise<WebBundle> | undefined;

/**
 * Bundles the web app (HTML shell → TypeScript modules, CSS) with Bun.build, in memory, once per
 * process; every later call gets the same bundle. A failed build is not kept, so a later call
 * tries again (and reports the error again).
 */
export function webBundle(): Promise<WebBundle> {
  cached ??= build().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function build(): Promise<WebBundle> {
  const result = await Bun.build({
    entrypoints: [ENTRY],
    target: "browser",
    minify: true,
    publicPath: ASSETS_PREFIX,
    naming: { entry: "[name]-[hash].[ext]", chunk: "[name]-[hash].[ext]", asset: "[name]-[hash].[ext]" },
    throw: false,
  });
  if (!result.success) {
    throw new Error(`web app build failed: ${result.logs.map((l) => l.message).join("; ")}`);
  }
  let html: WebAsset | undefined;
  const assets = new Map<string, WebAsset>();
  for (const out of result.outputs) {
    const body = new Uint8Array(await out.arrayBuffer());
    const gz = gzipSync(body, { level: 9 });
    const asset: WebAsset = {
      body,
      gzip: gz.length < body.length ? gz : undefined,
      type: out.type,
      etag: Bun.hash(body).toString(36),
    };
    const name = out.path.replace(/^\.\//, "");
    if (name.endsWith(".html")) html = asset;
    else assets.set(name, asset);
  }
  if (!html) throw new Error("web app build produced no HTML");
  return { html, assets };
}
