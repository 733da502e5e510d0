/** physical: scaled to the product's print size; digital: pixels kept as uploaded. */
export type DesignKind = "physical" | "digital";
export const DESIGN_KINDS = ["physical", "digital"] as const;

/** A tenant: every row and stored file belongs to one shop. */
export interface Shop {
  id: string;
  name: string;
  slug: string;
}

/** A stored design as the API shows it. */
export interface Design {
  id: string;
  filename: string;
  product: string;
  kind: DesignKind;
  storagePath: string;
  storageDriver: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  sourceSha256: string;
  sourceFormat: string;
  sourceWidth: number;
  sourceHeight: number;
  createdAt: string;
}

/** What an upload does with a file that duplicates a design: skip it, store it anyway, or add its product to that design. */
export const ON_DUPLICATE = ["skip", "keep", "add-product"] as const;
export type OnDuplicate = (typeof ON_DUPLICATE)[number];
