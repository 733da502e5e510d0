import type { Layer } from "ag-psd";

/** A drawable layer of the document with what its groups add to it, bottom to top. */
export interface StackLayer {
  layer: Layer;
  name: string;
  /** Its opacity × fill opacity × its groups' opacities, 0..1. */
  opacity: number;
  blend: string;
  /** It and the groups around it: their masks all apply. */
  maskedBy: Layer[];
  /** The layer it is clipped to (Photoshop's clipping mask), if any. */
  clipBase?: StackLayer;
  smartObject: boolean;
}

/**
 * The visible layers in drawing order (ag-psd lists children bottom first). Groups are drawn as
 * pass-through: their opacity and masks pass to their layers, their own blend mode is not
 * applied. What cannot be drawn (adjustment layers, effects) is named in `ignored`.
 */
export function visibleStack(layers: Layer[]): { stack: StackLayer[]; ignored: string[] } {
  const stack: StackLayer[] = [];
  const ignored: string[] = [];
  const walk = (children: Layer[], opacity: number, groups: Layer[], path: string) => {
    // A hidden base hides the layers clipped to it.
    let base: StackLayer | "hidden" | undefined;
    for (const layer of children) {
      if (layer.hidden) {
        if (!layer.clipping) base = "hidden";
        continue;
      }
      if (layer.clipping && base === "hidden") continue;
      const name = `${path}${layer.name ?? "(unnamed)"}`;
      const own = (layer.opacity ?? 1) * opacity;
      if (layer.children) {
        if (layer.blendMode && layer.blendMode !== "pass through" && layer.blendMode !== "normal") ignored.push(`group "${name}": blend mode ${layer.blendMode} (drawn as pass-through)`);
        walk(layer.children, own, [...groups, layer], `${name}/`);
        base = undefined;
        continue;
      }
      if (layer.adjustment) {
        ignored.push(`adjustment layer "${name}" (${layer.adjustment.type})`);
        continue;
      }
      if (layer.effects && Object.keys(layer.effects).some((k) => k !== "scale" && k !== "disabled")) ignored.push(`layer "${name}": layer effects`);
      const entry: StackLayer = {
        layer,
        name,
        opacity: own * (layer.fillOpacity ?? 1),
        blend: layer.blendMode ?? "normal",
        maskedBy: [...groups, layer],
        smartObject: layer.placedLayer !== undefined,
      };
      if (layer.clipping && base && base !== "hidden") entry.clipBase = base;
      else base = entry;
      stack.push(entry);
    }
  };
  walk(layers, 1, [], "");
  return { stack, ignored };
}
