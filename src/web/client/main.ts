import { ApiError, apiJson, onUnauthorized, useToken } from "./api-client.ts";
import { releaseImages } from "./authed-image.ts";
import { byId } from "./dom.ts";
import { DesignsPanel } from "./designs-panel.ts";
import { takeEtsyOutcomeFromAddress } from "./etsy-connect-outcome.ts";
import { EtsyPublisher } from "./etsy-publisher.ts";
import { ListingCreator } from "./listing-creator.ts";
import { ImageViewer } from "./image-viewer.ts";
import { JobTracker } from "./job-tracker.ts";
import { JobsPanel } from "./jobs-panel.ts";
import { MockupsPanel } from "./mockups-panel.ts";
import { forgetToken, savedToken, saveToken, takeTokenFromAddress } from "./session-token.ts";
import { clearSession, readSession, writeSession } from "./session-memory.ts";
import { ShopPanel } from "./shop-panel.ts";
import { setUpTabs } from "./tabs.ts";
import { TemplatesPanel } from "./templates-panel.ts";
import { TokensPanel } from "./tokens-panel.ts";
import { RecentSets } from "./recent-sets.ts";
import { DesignDialog } from "./design-dialog.ts";
import { BatchDialog } from "./batch-dialog.ts";
import { PrintFilesDialog } from "./print-files-dialog.ts";
import type { Design } from "./api-types.ts";
import { StorageCard } from "./storage-card.ts";
import type { ShopInfo } from "./api-types.ts";
import { UploadPanel } from "./upload-panel.ts";

// First thing: a token in the address (the first-start sign-in link) is taken out of it.
const previousToken = savedToken();
const tokenFromLink = takeTokenFromAddress();
// Another shop's link: what this tab kept belongs to the shop it was signed in as.
if (tokenFromLink && tokenFromLink !== previousToken) clearSession();
// Back from Etsy's sign-in: how it ended, shown on the Shop tab.
const etsyOutcome = takeEtsyOutcomeFromAddress();

/** Set before a sign-out reload, shown on the sign-in form after it. */
const FLASH_KEY = "atelier.flash";

const starting = byId("starting", HTMLParagraphElement);
const signIn = byId("sign-in", HTMLElement);
const signInForm = byId("sign-in-form", HTMLFormElement);
const signInError = byId("sign-in-error", HTMLParagraphElement);
const tokenInput = byId("token-input", HTMLInputElement);
const workspace = byId("workspace", HTMLDivElement);
const signOutButton = byId("sign-out", HTMLButtonElement);

const tracker = new JobTracker();

/** Forgets the token and everything kept for this tab, and starts over on the sign-in form. */
function signOut(message?: string): void {
  tracker.stopAll();
  releaseImages();
  forgetToken();
  useToken(undefined);
  clearSession();
  if (message) writeSession(FLASH_KEY, message);
  // A fresh page: no panel keeps the old shop's data.
  location.replace(location.pathname);
}

function showSignIn(message = ""): void {
  starting.hidden = true;
  workspace.hidden = true;
  signOutButton.hidden = true;
  signIn.hidden = false;
  signInError.textContent = message;
  tokenInput.focus();
}

/** Checks the token with one cheap call. A refused token is forgotten; an unreachable server is not its fault. */
async function accepted(token: string): Promise<boolean> {
  useToken(token);
  try {
    await apiJson("/api/jobs?limit=1");
    return true;
  } catch (err) {
    useToken(undefined);
    if (err instanceof ApiError && err.status === 401) {
      forgetToken();
      showSignIn("That token was not accepted. Check it and try again.");
    } else {
      showSignIn(`Atelier could not be reached (${err instanceof Error ? err.message : String(err)}). Reload the page to try again.`);
    }
    return false;
  }
}

let started = false;

/** Builds the panels once signed in, and picks up the jobs this tab was following. */
function startWorkspace(): void {
  if (started) return;
  started = true;
  starting.hidden = true;
  signIn.hidden = true;
  workspace.hidden = false;
  signOutButton.hidden = false;
  onUnauthorized(() => signOut("Your token is no longer accepted. Sign in again."));

  const viewer = new ImageViewer();
  const jobs = new JobsPanel(tracker);
  const publisher = new EtsyPublisher(tracker);
  let recentSets: RecentSets | undefined;
  const mockups = new MockupsPanel(tracker, viewer, (ids, label) => publisher.open(ids, label), () => void recentSets?.refresh());
  recentSets = new RecentSets((job) => mockups.showJob(job));
  const openTab = setUpTabs(byId("tabs", HTMLDivElement));
  const mockupsOf = (d: Design) => {
    mockups.chooseDesign(d);
    openTab("tab-mockups");
    byId("mockup-design", HTMLSelectElement).focus();
  };
  const batches = new BatchDialog(tracker);
  let dialog: DesignDialog | undefined;
  let printFiles: PrintFilesDialog | undefined;
  const designs = new DesignsPanel({
    open: (d) => dialog?.open(d),
    // One design: the Mockups tab; several: one batch over all of them.
    makeMockups: (list) => (list.length === 1 ? mockupsOf(list[0]!) : batches.open(list)),
    makePrintFiles: (list) => void printFiles?.open(list),
  });
  printFiles = new PrintFilesDialog(tracker, (id, p) => designs.printFileAdded(id, p));
  const listings = new ListingCreator(tracker);
  dialog = new DesignDialog(viewer, { changed: (d) => designs.updated(d), makeMockups: mockupsOf, createListing: (d) => listings.open(d) });
  const designsChanged = () => {
    void designs.refresh();
    void mockups.loadDesigns();
  };
  new UploadPanel(tracker, designsChanged);
  const templates = new TemplatesPanel((list) => {
    mockups.setTemplates(list);
    listings.setTemplates(list);
    batches.setTemplates(list);
  });
  const shop = new ShopPanel(etsyOutcome);
  const tokens = new TokensPanel();
  const storage = new StorageCard();
  if (etsyOutcome) openTab("tab-shop");

  tracker.resume();
  void jobs.refresh();
  void templates.refresh();
  void shop.refresh();
  void tokens.refresh();
  void recentSets.refresh();
  // Usage changes with every upload: read again whenever the Shop tab is opened.
  byId("tab-shop", HTMLButtonElement).addEventListener("click", () => void storage.refresh());
  void storage.refresh();
  // The shop's name in the top bar: which shop this browser is signed in to.
  void apiJson<ShopInfo>("/api/shop").then(
    (s) => (byId("shop-name", HTMLSpanElement).textContent = s.name),
    () => {},
  );
  designsChanged();
}

signOutButton.addEventListener("click", () => signOut());
signInForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) return;
  void accepted(token).then((ok) => {
    if (!ok) return;
    saveToken(token);
    tokenInput.value = "";
    startWorkspace();
  });
});

const flash = readSession<string>(FLASH_KEY);
writeSession(FLASH_KEY, undefined);
const token = tokenFromLink ?? savedToken();
if (!token) showSignIn(flash);
else
  void accepted(token).then((ok) => {
    if (ok) startWorkspace();
  });
