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
  /** Lower-case words the seller gave it, searchable with the file name. */
  tags: string[];
  /** Its mockups (not deleted); counted by the database as they are made. */
  mockupCount: number;
  /** One of its mockups has gone to an Etsy listing. */
  onEtsy: boolean;
  /** Gallery pages: the size and preflight of the print file of the product it was uploaded for. */
  print?: { dpi: number | null; effectiveDpi: number | null; warnings: PreflightWarning[]; printWidthIn: number | null; printHeightIn: number | null } | null;
  /** Gallery pages: the other products it has print files for (added later), with their warnings. */
  otherPrints?: OtherPrintFile[];
}

/** A print file of a design for a product other than the one it was uploaded for, as the gallery lists it. */
export interface OtherPrintFile {
  product: string;
  warnings: PreflightWarning[];
}

/** What an upload does with a file that duplicates a design: skip it, store it anyway, or add its product to that design. */
export const ON_DUPLICATE = ["skip", "keep", "add-product"] as const;
export type OnDuplicate = (typeof ON_DUPLICATE)[number];

/** A product of a shop: its print area (a longest side, or exact width × height, in inches) and DPI. */
export interface Product {
  name: string;
  kind: DesignKind;
  longestSideIn: number | null;
  widthIn: number | null;
  heightIn: number | null;
  dpi: number;
}

/** What preflight says of a print file: a stable code, words, and the figure it is about. */
export interface PreflightWarning {
  code: "upscaled" | "low_resolution" | "aspect_mismatch" | "converted_cmyk" | "converted_16bit";
  message: string;
  effectiveDpi?: number;
  artworkAspect?: number;
  printAspect?: number;
}

/** A design's print file for one product, as the API shows it. */
export interface PrintFile {
  id: string;
  designId: string;
  product: string;
  kind: DesignKind;
  storagePath: string;
  storageDriver: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  /** DPI written in the file; null for print files made before preflight. */
  dpi: number | null;
  /** Printed size in inches (width / dpi). */
  printWidthIn: number | null;
  printHeightIn: number | null;
  /** Source pixels over printed inches. */
  effectiveDpi: number | null;
  warnings: PreflightWarning[];
  createdAt: string;
}
