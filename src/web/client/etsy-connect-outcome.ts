/** How Etsy's sign-in ended, as the server's callback put it in the address (`#etsy=…`). */
export type EtsyConnectOutcome = { connected: true } | { connected: false; reason: string };

/** Takes `#etsy=connected` or `#etsy=error&reason=…` out of the address (keeping the rest), once. */
export function takeEtsyOutcomeFromAddress(): EtsyConnectOutcome | undefined {
  const params = new URLSearchParams(location.hash.slice(1));
  const etsy = params.get("etsy");
  if (etsy === null) return undefined;
  const reason = params.get("reason") ?? "unknown";
  params.delete("etsy");
  params.delete("reason");
  const rest = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
  return etsy === "connected" ? { connected: true } : { connected: false, reason };
}

const REASONS: Record<string, string> = {
  access_denied: "Etsy says access was not allowed. Use the button below to try again.",
  unknown_state: "That Etsy sign-in was already used, or was not started here. Use the button below to start again.",
  expired_state: "The Etsy sign-in took longer than 10 minutes. Use the button below to start again.",
  exchange_failed: "Etsy did not accept the sign-in. Use the button below to try again.",
  etsy_unavailable: "Etsy could not be reached to finish the sign-in. Try again in a minute.",
  no_etsy_shop: "That Etsy account has no shop yet. Open your shop on Etsy first, then connect.",
  etsy_app_not_configured: "This server has no Etsy app set up. Ask whoever runs Atelier to add one (README, Etsy).",
  secret_mismatch: "The server's secret changed during the sign-in. Use the button below to start again.",
};

/** The outcome in words. */
export function outcomeText(o: EtsyConnectOutcome): string {
  if (o.connected) return "Etsy is connected.";
  return `Connecting to Etsy did not finish. ${REASONS[o.reason] ?? "Etsy sent back an incomplete answer. Use the button below to try again."}`;
}
