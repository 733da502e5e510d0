import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../errors.ts";
import type { AppEnv } from "./app-env.ts";

/** The one place errors become `{ "error": { "code", "message" } }`. */
export const handleError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof AppError) return c.json(err.toBody(), err.status, err.headers);
  if (err instanceof HTTPException && err.status < 500) {
    const app = new AppError(err.status, "bad_request", err.message || "Bad request.");
    return c.json(app.toBody(), app.status);
  }
  logger(c).error("unhandled error", { err });
  const internal = new AppError(500, "internal_error", "Something went wrong on our side. The request id identifies it in the logs.");
  return c.json(internal.toBody(), 500);
};

/** Unknown routes answer in the same error shape. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(new AppError(404, "not_found", `No route for ${c.req.method} ${c.req.path}.`).toBody(), 404);

const logger = (c: Context<AppEnv>) => c.get("log");
