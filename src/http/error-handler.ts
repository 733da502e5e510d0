import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { AppError, toAppError } from "../errors.ts";
import type { AppEnv } from "./app-env.ts";

/** The one place errors become `{ "error": { "code", "message" } }`; the mapping is `toAppError`'s. */
export const handleError: ErrorHandler<AppEnv> = (err, c) => {
  const app = toAppError(err);
  if (app.unexpected) logger(c).error("unhandled error", { err });
  else if (app.status >= 500) logger(c).warn("request failed", { code: app.code, err: app.cause ?? err });
  return c.json(app.toBody(), app.status, app.headers);
};

/** Unknown routes answer in the same error shape. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(new AppError(404, "not_found", `No route for ${c.req.method} ${c.req.path}.`).toBody(), 404);

const logger = (c: Context<AppEnv>) => c.get("log");
