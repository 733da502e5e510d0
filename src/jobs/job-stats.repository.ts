import type { Queryable } from "../db/database.ts";

/** How many jobs are in each state, by type (for /metrics). */
export async function countJobsByState(sql: Queryable): Promise<Array<{ state: string; type: string; count: number }>> {
  return sql<Array<{ state: string; type: string; count: number }>>`
    select state, type, count(*)::int as count from jobs group by state, type order by state, type`;
}
