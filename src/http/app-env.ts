import type { Logger } from "../logger.ts";
import type { Shop } from "../types.ts";

/** What middleware puts on the Hono context for the handlers after it. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    shop: Shop;
    /** The API token the request came with (the Shop panel marks it). */
    tokenId: string;
  };
}
