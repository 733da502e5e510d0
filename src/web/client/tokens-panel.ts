import { apiJson, jsonBody, messageOf } from "./api-client.ts";
import type { ApiToken } from "./api-types.ts";
import { announce } from "./announce.ts";
import { byId, h, replaceChildren } from "./dom.ts";
import { formatWhen } from "./format.ts";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** The Shop tab's API tokens: name, created, last used; create one (shown once), revoke one. */
export class TokensPanel {
  private readonly list = byId("token-list", HTMLUListElement);
  private readonly form = byId("token-form", HTMLFormElement);
  private readonly name = byId("token-name", HTMLInputElement);
  private readonly made = byId("token-made", HTMLDivElement);
  private readonly madeValue = byId("token-made-value", HTMLElement);
  private readonly status = byId("token-status", HTMLParagraphElement);

  constructor() {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.create();
    });
    byId("token-copy", HTMLButtonElement).addEventListener("click", () => {
      void navigator.clipboard?.writeText(this.madeValue.textContent ?? "").then(
        () => announce("Token copied."),
        () => (this.status.textContent = "Copying is not allowed here: select the token and copy it."),
      );
    });
  }

  async refresh(): Promise<void> {
    try {
      const { items } = await apiJson<{ items: ApiToken[] }>("/api/tokens");
      replaceChildren(this.list, ...items.map((t) => this.row(t, items.length)));
    } catch (err) {
      this.status.textContent = `The tokens could not be read: ${messageOf(err)}`;
    }
  }

  private row(t: ApiToken, count: number): HTMLLIElement {
    const used = t.lastUsedAt ? `last used ${formatWhen(t.lastUsedAt)}` : "never used";
    return h(
      "li",
      { class: "token-row", "data-token-id": t.id },
      h(
        "div",
        { class: "token-row__text" },
        h("p", { class: "tile__title" }, t.name || "(no name)", t.current ? h("span", { class: "badge badge--created token-row__this" }, "this browser") : null),
        h("p", { class: "tile__meta" }, `Created ${dateTime.format(new Date(t.createdAt))} · ${used}`),
      ),
      h(
        "button",
        {
          type: "button",
          class: "button button--danger button--small",
          "aria-label": `Revoke the token ${t.name}`,
          disabled: count <= 1,
          title: count <= 1 ? "The shop's only token: create another one first." : null,
          onclick: () => void this.revoke(t),
        },
        "Revoke",
      ),
    );
  }

  private async create(): Promise<void> {
    const name = this.name.value.trim();
    if (!name) return;
    try {
      const made = await apiJson<ApiToken & { token: string }>("/api/tokens", jsonBody("POST", { name }));
      this.madeValue.textContent = made.token;
      this.made.hidden = false;
      this.name.value = "";
      this.status.textContent = `Token "${made.name}" created.`;
      await this.refresh();
    } catch (err) {
      this.status.textContent = `The token could not be created: ${messageOf(err)}`;
    }
  }

  private async revoke(t: ApiToken): Promise<void> {
    const warning = t.current ? " This browser signs in with it: you will be signed out." : "";
    if (!confirm(`Revoke the token "${t.name}"? Whatever uses it stops working at once.${warning}`)) return;
    try {
      await apiJson<void>(`/api/tokens/${encodeURIComponent(t.id)}`, { method: "DELETE" });
      this.status.textContent = `Token "${t.name}" revoked.`;
      if (!t.current) await this.refresh();
      else await apiJson("/api/tokens").catch(() => {}); // the 401 signs this browser out
    } catch (err) {
      this.status.textContent = `The token could not be revoked: ${messageOf(err)}`;
    }
  }
}
