import { ApiError, messageOf } from "./api-client.ts";
import type { Template } from "./api-types.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { plural } from "./format.ts";
import { sendWithProgress } from "./send-with-progress.ts";

/** A PSD import's answer: the template, and what the import left out. */
type Imported = Template & { warnings: string[] };

/**
 * Templates › Import a mockup PSD: one file up (with progress), the server makes the template
 * from its smart objects; its problems (every one) or what it ignored are listed beside the form.
 */
export class PsdImportForm {
  private readonly file = byId("psd-file", HTMLInputElement);
  private readonly name = byId("psd-name", HTMLInputElement);
  private readonly button = byId("psd-import-button", HTMLButtonElement);
  private readonly status = byId("psd-import-status", HTMLParagraphElement);
  private readonly problems = byId("psd-problem", HTMLUListElement);
  private readonly notes = byId("psd-warnings", HTMLUListElement);

  constructor(private readonly onImported: () => Promise<void>) {
    this.button.addEventListener("click", () => void this.send());
    this.file.addEventListener("change", () => replaceChildren(this.problems));
  }

  private async send(): Promise<void> {
    const psd = this.file.files?.[0];
    replaceChildren(this.notes);
    if (!psd) {
      replaceChildren(this.problems, h("li", null, "Choose a .psd or .psb file first."));
      return;
    }
    replaceChildren(this.problems);
    const form = new FormData();
    form.append("psd", psd);
    if (this.name.value.trim()) form.append("name", this.name.value.trim());
    this.button.disabled = true;
    try {
      const answer = await sendWithProgress("/api/templates/psd", form, {
        onProgress: (sent, total) => (this.status.textContent = `Sending ${psd.name}: ${Math.round((sent / total) * 100)}%`),
        onSent: () => (this.status.textContent = `Reading ${psd.name}: smart objects, masks and layers…`),
      });
      if (answer.status !== 201) throw refusal(answer.status, answer.body);
      const t = answer.body as Imported;
      this.status.textContent = `Imported “${t.name}” (${t.width} × ${t.height}, ${plural(t.placements.length, "placement")}). It is in the list above.`;
      replaceChildren(this.notes, ...t.warnings.map((w) => h("li", null, w)));
      this.file.value = "";
      this.name.value = "";
      await this.onImported();
    } catch (err) {
      this.status.textContent = "";
      const lines = err instanceof ApiError && Array.isArray((err.details as { problems?: unknown })?.problems) ? ((err.details as { problems: string[] }).problems) : [messageOf(err)];
      replaceChildren(this.problems, ...lines.map((l) => h("li", null, l)));
    } finally {
      this.button.disabled = false;
    }
  }
}

function refusal(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  return new ApiError(status, e?.code ?? `http_${status}`, e?.message ?? `The server answered ${status}.`, e?.details);
}
