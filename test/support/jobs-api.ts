import type { TestApp } from "./test-app.ts";

/** A job as GET /api/jobs/:id shows it. */
export type JobBody = {
  id: string;
  type: string;
  state: string;
  attempts: number;
  progress: { done: number; total: number } | null;
  result: any;
  error: { code: string; message: string } | null;
  lastEventSeq: number;
};

/** Polls GET /api/jobs/:id until the job has finished (or `timeoutMs` passes). */
export async function waitForJob(t: TestApp, jobId: string, timeoutMs = 30_000): Promise<JobBody> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await t.request(`/api/jobs/${jobId}`)).json()) as JobBody;
    if (["succeeded", "failed", "cancelled"].includes(job.state)) return job;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

/** One Server-Sent Event as a test reads it. */
export type SseEvent = { event: string; id?: string; data: any; at: number };

/** Reads an SSE response into events, noting when each arrived; stops early when `until` says so. */
export async function readEvents(res: Response, until?: (e: SseEvent) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let end: number;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const lines = block.split("\n").filter((l) => !l.startsWith(":"));
      const fields = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
      if (!fields.event) continue;
      const e = { event: fields.event, id: fields.id, data: JSON.parse(fields.data ?? "null"), at: performance.now() };
      events.push(e);
      if (until?.(e)) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}
