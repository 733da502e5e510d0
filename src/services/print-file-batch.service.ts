import type { Sql } from "../db/database.ts";
import { activeDesignIds } from "../repositories/design-catalog.repository.ts";
import { designsWithProduct } from "../repositories/print-file.repository.ts";
import type { Shop } from "../types.ts";
import { isUuid } from "../util/uuid.ts";
import { jobLinks, type JobService } from "./job.service.ts";
import { PRINT_FILES_JOB, type PrintFilesPayload } from "./print-files.job.ts";

/** One design's outcome in the answer: queued, or why not. */
export type PrintFileRequestOutcome = { id: string; ok: true } | { id: string; ok: false; error: { code: string; message: string } };

/** The answer: the job making them (null when there is nothing to make) and each design's outcome, in request order. */
export type PrintFileBatchAnswer = ({ jobId: string; statusUrl: string; eventsUrl: string } | { jobId: null }) & { results: PrintFileRequestOutcome[] };

/** Print files of one product for many designs, queued as one job (the gallery's bulk action). */
export class PrintFileBatchService {
  constructor(private readonly deps: { sql: Sql; jobs: JobService }) {}

  /**
   * Answers per design: one that is not the shop's (or was deleted) is `not_found`, one that has
   * a print file for the product already is `print_file_exists`; the others are queued together,
   * as one job whose events say what became of each.
   */
  async request(shop: Shop, designIds: string[], product: string): Promise<PrintFileBatchAnswer> {
    const active = await activeDesignIds(this.deps.sql, shop.id, designIds.filter(isUuid));
    const have = await designsWithProduct(this.deps.sql, shop.id, [...active], product);
    const results = designIds.map((id): PrintFileRequestOutcome => {
      if (!active.has(id)) return { id, ok: false, error: { code: "not_found", message: "No such design (or it was deleted)." } };
      if (have.has(id)) return { id, ok: false, error: { code: "print_file_exists", message: `The design already has a print file for "${product}".` } };
      return { id, ok: true };
    });
    const todo = results.filter((r) => r.ok).map((r) => r.id);
    if (todo.length === 0) return { jobId: null, results };
    const job = await this.deps.jobs.enqueue(shop, PRINT_FILES_JOB, { designIds: todo, product } satisfies PrintFilesPayload);
    return { jobId: job.id, ...jobLinks(job.id), results };
  }
}
