import { afterAll } from "bun:test";
import { closeTestDatabase } from "./test-database.ts";
import { closeTestPools } from "./test-pools.ts";
import { closeTestJobs } from "./test-jobs.ts";

// One database and one hash pool for the whole run, opened lazily by the first test that needs them.
afterAll(async () => {
  await closeTestJobs();
  await closeTestPools();
  await closeTestDatabase();
});
