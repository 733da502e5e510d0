import { apiJson, messageOf } from "./api-client.ts";
import type { EtsyConnection } from "./api-types.ts";
import { announce } from "./announce.ts";
import { byId } from "./dom.ts";
import { outcomeText, type EtsyConnectOutcome } from "./etsy-connect-outcome.ts";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * The Shop tab: the Etsy connection's state, Connect (or Reconnect), which sends the browser to
 * Etsy's sign-in (POST /api/shop/etsy/connect), and Disconnect. Shows how a sign-in just ended.
 */
export class ShopPanel {
  private readonly status = byId("etsy-status", HTMLParagraphElement);
  private readonly detail = byId("etsy-detail", HTMLParagraphElement);
  private readonly message = byId("etsy-message", HTMLParagraphElement);
  private readonly connectButton = byId("etsy-connect", HTMLButtonElement);
  private readonly disconnectButton = byId("etsy-disconnect", HTMLButtonElement);

  constructor(outcome: EtsyConnectOutcome | undefined) {
    this.connectButton.addEventListener("click", () => void this.connect());
    this.disconnectButton.addEventListener("click", () => void this.disconnect());
    if (outcome) this.say(outcomeText(outcome), outcome.connected ? "ok" : "error");
  }

  async refresh(): Promise<void> {
    try {
      this.show(await apiJson<EtsyConnection>("/api/shop/etsy"));
    } catch (err) {
      this.status.textContent = `The Etsy connection could not be read: ${messageOf(err)}`;
    }
  }

  private show(c: EtsyConnection): void {
    this.connectButton.textContent = c.connected ? "Reconnect" : "Connect Etsy";
    this.connectButton.hidden = !c.canConnect;
    this.disconnectButton.hidden = !c.connected;
    if (c.connected) {
      const name = c.shopName ? ` (${c.shopName})` : "";
      const since = c.connectedAt ? ` since ${dateTime.format(new Date(c.connectedAt))}` : "";
      this.status.textContent = `Connected as shop ${c.shopId}${name}${since}.`;
      this.detail.textContent =
        c.connectedVia === "oauth"
          ? "Atelier can read your listings and add images to them. Reconnect if Etsy asks you to sign in again."
          : `Connected with an API key ending in ${c.apiKeyHint ?? "…"} (set through the API).`;
    } else {
      this.status.textContent = "Not connected to Etsy.";
      this.detail.textContent = c.canConnect
        ? "Connect to pick your listings and publish mockups to them. Etsy asks you to sign in and allow Atelier."
        : "This server has no Etsy app set up yet; whoever runs Atelier can add one (README, Etsy).";
    }
  }

  private async connect(): Promise<void> {
    this.connectButton.disabled = true;
    try {
      const { authorizationUrl } = await apiJson<{ authorizationUrl: string }>("/api/shop/etsy/connect", { method: "POST" });
      this.say("Opening Etsy…", "ok");
      location.assign(authorizationUrl);
    } catch (err) {
      this.say(`Could not start connecting: ${messageOf(err)}`, "error");
      this.connectButton.disabled = false;
    }
  }

  private async disconnect(): Promise<void> {
    if (!confirm("Disconnect Etsy? Publishing stops until you connect again.")) return;
    this.disconnectButton.disabled = true;
    try {
      await apiJson("/api/shop/etsy", { method: "DELETE" });
      this.say("Etsy is disconnected.", "ok");
      await this.refresh();
    } catch (err) {
      this.say(`Could not disconnect: ${messageOf(err)}`, "error");
    } finally {
      this.disconnectButton.disabled = false;
    }
  }

  private say(text: string, tone: "ok" | "error"): void {
    this.message.textContent = text;
    this.message.className = `notice notice--${tone}`;
    this.message.hidden = false;
    announce(text);
  }
}
