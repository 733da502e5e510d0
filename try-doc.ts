import { buildApiDocument } from "./src/http/openapi/build-api-document.ts";
try {
const d = buildApiDocument("0.1.0");
console.log(JSON.stringify(d).length, Object.keys(d.paths ?? {}));
await Bun.write("/tmp/oa/doc.json", JSON.stringify(d, null, 1));
} catch (e) { console.log(String(e).slice(0, 500), (e as any).data?.currentSchema?.type); }
