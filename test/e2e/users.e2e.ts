/**
 * The administrator's Users page (issue 13 item 9), on an instance with sign-up closed: the admin finds
 * the page in the header, pages and searches the accounts, creates one (its password shown once), the new
 * user signs in with it; the admin disables the account (the user's open page loses its session, sign-in
 * is refused), enables it and resets its password (the new one shown once and working). Non-admins see
 * no Users link, and the page refuses them.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { browser, useBrowserWorld } from "../helpers/browserWorld";
import { newContext, pageErrors, signInThroughUi } from "../helpers/e2e";
import { seedUser } from "../helpers/seed";
import { startServer } from "../helpers/server";

useBrowserWorld();

const row = (page: Page, username: string) => page.getByRole("row", { name: username, exact: true });

test("an admin creates, disables, enables an account and resets its password from the Users page", async () => {
  const closed = await startServer({ config: { allowSignup: false } });
  try {
    const admin = seedUser(closed.db, { admin: true, username: "root", displayName: "Root" });
    for (let i = 0; i < 50; i++) seedUser(closed.db, { username: `member${String(i).padStart(2, "0")}` });
    const adminCtx = await newContext(browser.browser, closed, admin);
    const page = await adminCtx.newPage();
    page.on("dialog", (d) => void d.accept());
    await page.goto(closed.url);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();

    // 51 accounts: a page of 50, then the rest; the search goes to the server
    await page.getByText("1–50 of 51").waitFor();
    await page.getByRole("button", { name: "Following page of accounts" }).click();
    await page.getByText("51–51 of 51").waitFor();
    await page.getByRole("searchbox", { name: "Search accounts" }).fill("member4");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(10);

    // a new account: its generated password is shown once
    await page.getByLabel("Username").fill("newbie");
    await page.getByLabel(/Display name/).fill("New Bie");
    await page.getByRole("button", { name: "Create account" }).click();
    const notice = page.getByRole("status", { name: "One-time password" });
    await notice.waitFor();
    const password = (await notice.getByTestId("one-time-secret").textContent())!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await page.screenshot({ path: screenshotPath("users-created") });
    await notice.getByRole("button", { name: "Done" }).click();
    expect(await notice.count()).toBe(0);

    // the new user signs in with it; no Users link for them, and the page refuses them
    const userCtx = await newContext(browser.browser, closed);
    const userPage = await userCtx.newPage();
    await signInThroughUi(userPage, closed, { username: "newbie", password });
    await userPage.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    expect(
      await userPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).count(),
    ).toBe(0);
    await userPage.goto(`${closed.url}/users`);
    await userPage.getByRole("alert").getByText("This page is for instance administrators.").waitFor();

    // disabled: the user's session ends at once, and signing in is refused
    await page.getByRole("searchbox", { name: "Search accounts" }).fill("newbie");
    await row(page, "newbie").waitFor();
    await page.getByRole("button", { name: "Disable newbie" }).click();
    await row(page, "newbie").getByText("Disabled").waitFor();
    await userPage.goto(closed.url);
    await userPage.waitForURL((u) => u.pathname === "/signin");
    await userPage.getByLabel("Username").fill("newbie");
    await userPage.getByLabel("Password").fill(password);
    await userPage.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => userPage.getByRole("alert").first().textContent())
      .toBe("This account is disabled: ask an administrator");

    // enabled again, then a new password: shown once, and it is the one that works
    await page.getByRole("button", { name: "Enable newbie" }).click();
    await row(page, "newbie").getByText("Active").waitFor();
    await page.getByRole("button", { name: "Reset the password of newbie" }).click();
    await notice.waitFor();
    const fresh = (await notice.getByTestId("one-time-secret").textContent())!;
    expect(fresh).not.toBe(password);
    await page.screenshot({ path: screenshotPath("users-reset") });
    await signInThroughUi(userPage, closed, { username: "newbie", password: fresh });
    await userPage.getByRole("heading", { name: "Projects", level: 1 }).waitFor();

    // an invite link instead of a password: the invitee sets their own, once
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByLabel("Username").fill("ivy");
    await page.getByLabel("Invite link (the user sets their own)").check();
    await page.getByRole("button", { name: "Create account" }).click();
    const invite = page.getByRole("status", { name: "Invite link" });
    const link = (await invite.getByTestId("one-time-secret").textContent())!;
    expect(link).toMatch(new RegExp(`^${closed.url}/invite/[A-Za-z0-9_-]{43}$`));
    const ivyCtx = await newContext(browser.browser, closed);
    const ivyPage = await ivyCtx.newPage();
    await ivyPage.goto(link);
    await ivyPage.getByText("Choose the password you will sign in with as ivy").waitFor();
    await ivyPage.getByLabel("Password", { exact: true }).fill("ivy's own passphrase");
    await ivyPage.getByRole("button", { name: "Set password and sign in" }).click();
    await ivyPage.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await ivyPage.goto(link);
    await ivyPage
      .getByRole("alert")
      .getByText(/This invite link does not work/)
      .waitFor();
    const elsewhere = await newContext(browser.browser, closed);
    await signInThroughUi(await elsewhere.newPage(), closed, {
      username: "ivy",
      password: "ivy's own passphrase",
    });
    await elsewhere.close();
    expect(pageErrors(ivyCtx)).toEqual([]);
    await ivyCtx.close();

    expect(pageErrors(adminCtx)).toEqual([]);
    expect(pageErrors(userCtx)).toEqual([]);
    await userCtx.close();
    await adminCtx.close();
  } finally {
    await closed.close();
  }
});
