/**
 * Which tiles of a grid are selected: a click toggles one, a shift-click sets every tile between
 * it and the last one clicked to the same state, "all on the page" toggles every loaded tile.
 * Tiles hold an `input.design-tile__select` with `data-id`; selection survives "Show more".
 */
export class GallerySelection {
  private readonly chosen = new Set<string>();
  private anchor: string | undefined;

  constructor(
    private readonly grid: HTMLElement,
    private readonly all: HTMLInputElement,
    private readonly changed: () => void,
  ) {
    grid.addEventListener("click", (e) => {
      const box = e.target;
      if (!(box instanceof HTMLInputElement) || !box.classList.contains("design-tile__select")) return;
      const id = box.dataset.id!;
      if ((e as MouseEvent).shiftKey && this.anchor && this.anchor !== id) this.setRange(this.anchor, id, box.checked);
      else this.set(id, box.checked);
      this.anchor = id;
      this.sync();
    });
    all.addEventListener("change", () => {
      for (const box of this.boxes()) this.set(box.dataset.id!, all.checked);
      this.sync();
    });
  }

  ids(): string[] {
    return [...this.chosen];
  }

  clear(): void {
    this.chosen.clear();
    this.anchor = undefined;
    this.sync();
  }

  forget(id: string): void {
    this.chosen.delete(id);
    this.sync();
  }

  /** New tiles arrived: the "all" box says whether every loaded tile is selected. */
  pageChanged(): void {
    this.sync();
  }

  private boxes(): HTMLInputElement[] {
    return [...this.grid.querySelectorAll<HTMLInputElement>("input.design-tile__select")];
  }

  private set(id: string, on: boolean): void {
    if (on) this.chosen.add(id);
    else this.chosen.delete(id);
  }

  private setRange(from: string, to: string, on: boolean): void {
    const ids = this.boxes().map((b) => b.dataset.id!);
    const [a, b] = [ids.indexOf(from), ids.indexOf(to)].sort((x, y) => x - y);
    if (a! < 0) return this.set(to, on);
    for (const id of ids.slice(a, b! + 1)) this.set(id, on);
  }

  private sync(): void {
    const boxes = this.boxes();
    for (const box of boxes) {
      box.checked = this.chosen.has(box.dataset.id!);
      box.closest("li")?.setAttribute("data-selected", String(box.checked));
    }
    const n = boxes.filter((b) => b.checked).length;
    this.all.checked = boxes.length > 0 && n === boxes.length;
    this.all.indeterminate = n > 0 && n < boxes.length;
    this.changed();
  }
}
