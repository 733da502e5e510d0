import { afterAll } from "bun:test";
import { closeTestDatabase } from "./test-database.ts";

// One database for the whole run: opened lazily by the first test that needs it.
afterAll(async () => {
  await closeTestDatabase();
});
