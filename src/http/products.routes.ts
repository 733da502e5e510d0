import { Hono } from "hono";
import { z } from "zod";
import type { ProductService } from "../services/product.service.ts";
import { DESIGN_KINDS, type Product } from "../types.ts";
import type { AppEnv } from "./app-env.ts";
import { productName } from "./product-name.ts";
import { validate } from "./validate-request.ts";

const inches = z.number().positive().max(1000);
const product = z
  .object({
    name: productName,
    kind: z.enum(DESIGN_KINDS).default("physical"),
    longestSideIn: inches.optional(),
    widthIn: inches.optional(),
    heightIn: inches.optional(),
    dpi: z.number().int().min(72).max(2400).optional(),
  })
  .refine((p) => (p.longestSideIn !== undefined) !== (p.widthIn !== undefined && p.heightIn !== undefined), {
    message: "give longestSideIn, or widthIn and heightIn",
  })
  .refine((p) => (p.widthIn === undefined) === (p.heightIn === undefined), { message: "widthIn and heightIn go together" });

export const putProductsBody = z.object({ products: z.array(product).max(200) });
export const shopSettingsBody = z.object({ refuseLowResolution: z.boolean() });

/** /api/products (the shop's products) and /api/shop/settings (its preflight choice). */
export function productRoutes(deps: { products: ProductService; printDpi: number }) {
  const app = new Hono<AppEnv>();
  app.get("/products", async (c) => c.json({ products: await deps.products.list(c.get("shop")) }));
  app.put("/products", validate("json", putProductsBody), async (c) => {
    const list = c.req.valid("json").products.map(
      (p): Product => ({
        name: p.name,
        kind: p.kind,
        longestSideIn: p.longestSideIn ?? null,
        widthIn: p.widthIn ?? null,
        heightIn: p.heightIn ?? null,
        dpi: p.dpi ?? deps.printDpi,
      }),
    );
    return c.json({ products: await deps.products.replace(c.get("shop"), list) });
  });
  app.get("/shop/settings", async (c) => c.json(await deps.products.settings(c.get("shop"))));
  app.put("/shop/settings", validate("json", shopSettingsBody), async (c) => c.json(await deps.products.updateSettings(c.get("shop"), c.req.valid("json"))));
  return app;
}
