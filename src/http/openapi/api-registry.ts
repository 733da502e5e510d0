import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { AUTHENTICATED_ERRORS, BODY_ERRORS, errorResponses, mergeErrorCodes, PUBLIC_ERRORS, type ErrorCodes } from "./error-responses.ts";

/** The registry the document is generated from (@hono/zod-openapi's, through an OpenAPIHono that serves nothing). */
export type ApiRegistry = OpenAPIHono["openAPIRegistry"];

export const newApiRegistry = (): { registry: ApiRegistry; generator: OpenAPIHono } => {
  const generator = new OpenAPIHono();
  return { registry: generator.openAPIRegistry, generator };
};

/** One route as the reference shows it. */
export interface Operation extends Omit<RouteConfig, "responses" | "operationId" | "summary" | "tags"> {
  operationId: string;
  summary: string;
  tags: [string];
  /** The success (and redirect) answers. */
  responses: RouteConfig["responses"];
  /** Error codes this route answers besides the ones every route of its kind has. */
  errors?: ErrorCodes;
  /** No shop token (health, metrics, the web app, this reference, the OAuth callback); `security` may name another. */
  public?: boolean;
}

const BODY_METHODS = new Set(["post", "put", "patch"]);

/**
 * Registers one route: its request schemas (the ones the route validates with), its answers,
 * and its error codes with those every route of its kind can answer (auth, database, body limits).
 */
export function registerOperation(registry: ApiRegistry, op: Operation): void {
  const { errors = {}, public: isPublic = false, responses, ...route } = op;
  const common = isPublic ? [PUBLIC_ERRORS] : BODY_METHODS.has(op.method) ? [AUTHENTICATED_ERRORS, BODY_ERRORS] : [AUTHENTICATED_ERRORS];
  registry.registerPath(
    createRoute({
      ...route,
      ...(isPublic && route.security === undefined ? { security: [] } : {}),
      responses: { ...responses, ...errorResponses(mergeErrorCodes(errors, ...common)) },
    }),
  );
}
