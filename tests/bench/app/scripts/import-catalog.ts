#!/usr/bin/env -S npx tsx
/**
 * import-catalog — normalise supplier product feeds into NDJSON shards.
 *
 * Usage:
 *   npx tsx scripts/import-catalog.ts [options] <input...>
 *
 * Inputs may be CSV/TSV files or directories (scanned recursively for *.csv,
 * *.tsv). Each row is validated, normalised and de-duplicated by SKU; the
 * output directory receives `catalog-0000.ndjson`, `catalog-0001.ndjson`, ...
 * plus a `manifest.json` describing the run.
 *
 * Options:
 *   -o, --out <dir>          output directory (default: ./out/catalog)
 *   -s, --shard-size <n>     rows per shard (default: 5000)
 *   -c, --currency <code>    default currency when the feed omits it (default: USD)
 *       --supplier <name>    tag every record with this supplier name
 *       --since <date>       skip rows whose updated_at is older than this ISO date
 *       --strict             treat warnings as errors
 *       --dry-run            validate only, write nothing
 *       --json               print the summary as JSON
 *   -v, --verbose            log every rejected row
 *   -h, --help               show this help
 */
import { createReadStream, createWriteStream, WriteStream } from "node:fs";
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { once } from "node:events";
import path from "node:path";
import readline from "node:readline";
import process from "node:process";

// ---- argument parsing ----------------------------------------------------

interface Options {
  out: string;
  shardSize: number;
  currency: string;
  supplier?: string;
  since?: Date;
  strict: boolean;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
  inputs: string[];
}

class UsageError extends Error {}

const HELP = (() => {
  // Reuse the header comment so the help text never drifts from the docs.
  return `import-catalog — normalise supplier product feeds into NDJSON shards

Usage: import-catalog [options] <input...>

  -o, --out <dir>          output directory (default: ./out/catalog)
  -s, --shard-size <n>     rows per shard (default: 5000)
  -c, --currency <code>    default currency (default: USD)
      --supplier <name>    tag every record with this supplier
      --since <date>       skip rows older than this ISO date
      --strict             treat warnings as errors
      --dry-run            validate only, write nothing
      --json               print the summary as JSON
  -v, --verbose            log every rejected row
  -h, --help               show this help`;
})();

export function parseArgs(argv: string[]): Options {
  const opts: Options = {
    out: "./out/catalog",
    shardSize: 5000,
    currency: "USD",
    strict: false,
    dryRun: false,
    json: false,
    verbose: false,
    inputs: [],
  };

  const takeValue = (flag: string, inline: string | undefined, rest: string[]): string => {
    if (inline !== undefined) return inline;
    const next = rest.shift();
    if (next === undefined || next.startsWith("-")) throw new UsageError(`${flag} requires a value`);
    return next;
  };

  const args = [...argv];
  while (args.length > 0) {
    const raw = args.shift()!;
    if (raw === "--") {
      opts.inputs.push(...args.splice(0));
      break;
    }
    if (!raw.startsWith("-") || raw === "-") {
      opts.inputs.push(raw);
      continue;
    }
    const [flag, inline] = raw.includes("=") ? [raw.slice(0, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1)] : [raw, undefined];
    switch (flag) {
      case "-o":
      case "--out":
        opts.out = takeValue(flag, inline, args);
        break;
      case "-s":
      case "--shard-size": {
        const n = Number(takeValue(flag, inline, args));
        if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError(`invalid shard size`);
        opts.shardSize = n;
        break;
      }
      case "-c":
      case "--currency": {
        const c = takeValue(flag, inline, args).toUpperCase();
        if (!/^[A-Z]{3}$/.test(c)) throw new UsageError(`invalid currency '${c}'`);
        opts.currency = c;
        break;
      }
      case "--supplier":
        opts.supplier = takeValue(flag, inline, args);
        break;
      case "--since": {
        const value = takeValue(flag, inline, args);
        const d = new Date(value);
        if (Number.isNaN(d.getTime())) throw new UsageError(`invalid date '${value}'`);
        opts.since = d;
        break;
      }
      case "--strict":
        opts.strict = true;
        break;
      case "--dry-run":
        opts.dryRun = true;
        break;
      case "--json":
        opts.json = true;
        break;
      case "-v":
      case "--verbose":
        opts.verbose = true;
        break;
      case "-h":
      case "--help":
        console.log(HELP);
        process.exit(0);
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }

  if (opts.inputs.length === 0) throw new UsageError("at least one input file or directory is required");
  return opts;
}

// ---- CSV parsing -----------------------------------------------------------

/**
 * Splits one CSV line, honouring double-quoted fields with embedded
 * delimiters and doubled quotes. Multi-line quoted fields are handled by the
 * caller, which keeps appending lines while `open` is true.
 */
export function splitCsvLine(line: string, delimiter: string): { fields: string[]; open: boolean } {
  const fields: string[] = [];
  let current = "";
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          current += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        current += ch;
      }
    } else if (ch === '"' && current.length === 0) {
      inQuotes = true;
    } else if (ch === delimiter) {
      fields.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  fields.push(current);
  return { fields, open: inQuotes };
}

async function* readCsv(file: string): AsyncGenerator<{ line: number; row: Record<string, string> }> {
  const delimiter = file.toLowerCase().endsWith(".tsv") ? "\t" : ",";
  const rl = readline.createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let header: string[] | null = null;
  let buffer = "";
  let startLine = 0;
  let lineNo = 0;
  for await (const rawLine of rl) {
    lineNo++;
    const line = lineNo === 1 ? rawLine.replace(/^\uFEFF/, "") : rawLine;
    if (!buffer) startLine = lineNo;
    buffer = buffer ? `${buffer}\n${line}` : line;
    const { fields, open } = splitCsvLine(buffer, delimiter);
    if (open) continue;
    buffer = "";
    if (!header) {
      header = fields.map((h) => h.trim().toLowerCase().replace(/\s+/g, "_"));
      continue;
    }
    if (fields.length === 1 && fields[0].trim() === "") continue;
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      row[h] = (fields[i] ?? "").trim();
    });
    yield { line: startLine, row };
  }
  if (buffer) throw new Error(`${file}: unterminated quoted field starting at line ${startLine}`);
}

// ---- normalisation ----------------------------------------------------------

export interface CatalogRecord {
  sku: string;
  name: string;
  description: string;
  category: string[];
  price: { amount: number; currency: string };
  stock: number;
  weightGrams: number | null;
  tags: string[];
  supplier: string | null;
  updatedAt: string;
  checksum: string;
  source: { file: string; line: number };
}

interface Issue {
  file: string;
  line: number;
  severity: "error" | "warning";
  message: string;
}

const FIELD_ALIASES: Record<string, string[]> = {
  sku: ["sku", "item_number", "product_id", "article"],
  name: ["name", "title", "product_name"],
  description: ["description", "desc", "long_description"],
  category: ["category", "category_path", "categories"],
  price: ["price", "unit_price", "list_price"],
  currency: ["currency", "currency_code"],
  stock: ["stock", "qty", "quantity", "inventory"],
  weight: ["weight", "weight_g", "weight_grams", "weight_kg"],
  tags: ["tags", "keywords"],
  updated_at: ["updated_at", "last_modified", "modified"],
};

function field(row: Record<string, string>, canonical: keyof typeof FIELD_ALIASES): { value: string; alias?: string } {
  for (const alias of FIELD_ALIASES[canonical]) {
    if (row[alias] !== undefined && row[alias] !== "") return { value: row[alias], alias };
  }
  return { value: "" };
}

function parsePrice(raw: string): number | null {
  // Accept "1,299.00", "1.299,00", "$12.50", "12".
  const cleaned = raw.replace(/[^\d.,-]/g, "");
  if (!cleaned) return null;
  let normalised = cleaned;
  const lastComma = cleaned.lastIndexOf(",");
  const lastDot = cleaned.lastIndexOf(".");
  if (lastComma > lastDot) normalised = cleaned.replace(/\./g, "").replace(",", ".");
  else normalised = cleaned.replace(/,/g, "");
  const n = Number(normalised);
  return Number.isFinite(n) ? Math.round(n * 100) : null;
}

export function normaliseRow(
  row: Record<string, string>,
  ctx: { file: string; line: number; opts: Pick<Options, "currency" | "supplier" | "since"> },
  issues: Issue[],
): CatalogRecord | null {
  const report = (severity: Issue["severity"], message: string) =>
    issues.push({ file: ctx.file, line: ctx.line, severity, message });

  const sku = field(row, "sku").value.toUpperCase().replace(/\s+/g, "-");
  if (!/^[A-Z0-9][A-Z0-9._-]{1,39}$/.test(sku)) {
    report("error", `invalid or missing SKU '${sku}'`);
    return null;
  }
  const name = field(row, "name").value.replace(/\s+/g, " ");
  if (!name) {
    report("error", `SKU ${sku}: missing name`);
    return null;
  }
  const price = parsePrice(field(row, "price").value);
  if (price === null || price < 0) {
    report("error", `SKU ${sku}: invalid price '${field(row, "price").value}'`);
    return null;
  }
  const currency = (field(row, "currency").value || ctx.opts.currency).toUpperCase();

  const stockRaw = field(row, "stock").value;
  let stock = stockRaw === "" ? 0 : Number.parseInt(stockRaw, 10);
  if (Number.isNaN(stock)) {
    report("warning", `SKU ${sku}: non-numeric stock '${stockRaw}', assuming 0`);
    stock = 0;
  }

  const weight = field(row, "weight");
  let weightGrams: number | null = null;
  if (weight.value) {
    const w = Number(weight.value.replace(",", "."));
    if (Number.isFinite(w)) weightGrams = Math.round(weight.alias === "weight_kg" ? w * 1000 : w);
    else report("warning", `SKU ${sku}: unparseable weight '${weight.value}'`);
  }

  const updatedRaw = field(row, "updated_at").value;
  const updatedAt = updatedRaw ? new Date(updatedRaw) : new Date(0);
  if (updatedRaw && Number.isNaN(updatedAt.getTime())) {
    report("warning", `SKU ${sku}: invalid updated_at '${updatedRaw}'`);
  }
  if (ctx.opts.since && updatedAt < ctx.opts.since) return null;

  const category = field(row, "category")
    .value.split(/\s*[>/|]\s*/)
    .filter(Boolean);
  const tags = [...new Set(field(row, "tags").value.split(/[;,]/).map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();

  const base = {
    sku,
    name,
    description: field(row, "description").value,
    category,
    price: { amount: price, currency },
    stock: Math.max(0, stock),
    weightGrams,
    tags,
    supplier: ctx.opts.supplier ?? null,
    updatedAt: Number.isNaN(updatedAt.getTime()) ? new Date(0).toISOString() : updatedAt.toISOString(),
  };
  const checksum = createHash("sha256").update(JSON.stringify(base)).digest("hex").slice(0, 16);
  return { ...base, checksum, source: { file: ctx.file, line: ctx.line } };
}

// ---- file discovery --------------------------------------------------------

async function collectInputs(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  const visit = async (p: string): Promise<void> => {
    const s = await stat(p);
    if (s.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name.startsWith(".")) continue;
        await visit(path.join(p, e.name));
      }
    } else if (/\.(csv|tsv)$/i.test(p)) {
      files.push(p);
    }
  };
  for (const input of inputs) await visit(input);
  return files;
}

// ---- shard writer ------------------------------------------------------------

class ShardWriter {
  private index = 0;
  private count = 0;
  private stream: WriteStream | null = null;
  readonly shards: Array<{ file: string; records: number }> = [];

  constructor(private readonly dir: string, private readonly shardSize: number, private readonly dryRun: boolean) {}

  private shardName(i: number): string {
    return `catalog-${String(i).padStart(4, "0")}.ndjson`;
  }

  async write(record: CatalogRecord): Promise<void> {
    if (this.dryRun) return;
    if (!this.stream || this.count >= this.shardSize) await this.rotate();
    const ok = this.stream!.write(`${JSON.stringify(record)}\n`);
    this.count++;
    this.shards[this.shards.length - 1].records++;
    if (!ok) await once(this.stream!, "drain");
  }

  private async rotate(): Promise<void> {
    await this.close();
    const name = this.shardName(this.index++);
    this.stream = createWriteStream(path.join(this.dir, name), { encoding: "utf8" });
    this.shards.push({ file: name, records: 0 });
    this.count = 0;
  }

  async close(): Promise<void> {
    if (!this.stream) return;
    const s = this.stream;
    this.stream = null;
    s.end();
    await once(s, "finish");
  }
}

// ---- main -----------------------------------------------------------------------

interface Summary {
  files: number;
  rowsRead: number;
  written: number;
  duplicates: number;
  skipped: number;
  errors: number;
  warnings: number;
  shards: Array<{ file: string; records: number }>;
  durationMs: number;
}

export async function run(opts: Options): Promise<{ summary: Summary; issues: Issue[] }> {
  const started = Date.now();
  const files = await collectInputs(opts.inputs);
  if (files.length === 0) throw new UsageError("no .csv or .tsv files found in the given inputs");

  if (!opts.dryRun) await mkdir(opts.out, { recursive: true });
  const writer = new ShardWriter(opts.out, opts.shardSize, opts.dryRun);
  const issues: Issue[] = [];
  const seen = new Map<string, { checksum: string; where: string }>();
  let rowsRead = 0;
  let written = 0;
  let duplicates = 0;
  let skipped = 0;

  for (const file of files) {
    const rel = path.relative(process.cwd(), file);
    for await (const { line, row } of readCsv(file)) {
      rowsRead++;
      const before = issues.length;
      const record = normaliseRow(row, { file: rel, line, opts }, issues);
      if (opts.verbose) {
        for (const issue of issues.slice(before)) {
          console.error(`${issue.severity.toUpperCase()} ${issue.file}:${issue.line} ${issue.message}`);
        }
      }
      if (!record) {
        skipped++;
        continue;
      }
      const prev = seen.get(record.sku);
      if (prev) {
        duplicates++;
        if (prev.checksum !== record.checksum) {
          issues.push({
            file: rel,
            line,
            severity: "warning",
            message: `SKU ${record.sku} differs from earlier definition at ${prev.where}; keeping the first`,
          });
        }
        continue;
      }
      seen.set(record.sku, { checksum: record.checksum, where: `${rel}:${line}` });
      await writer.write(record);
      written++;
    }
  }
  await writer.close();

  const summary: Summary = {
    files: files.length,
    rowsRead,
    written,
    duplicates,
    skipped,
    errors: issues.filter((i) => i.severity === "error").length,
    warnings: issues.filter((i) => i.severity === "warning").length,
    shards: writer.shards,
    durationMs: Date.now() - started,
  };

  if (!opts.dryRun) {
    const manifest = {
      generatedAt: new Date().toISOString(),
      supplier: opts.supplier ?? null,
      defaultCurrency: opts.currency,
      inputs: files.map((f) => path.relative(process.cwd(), f)),
      ...summary,
      issues: issues.slice(0, 1000),
    };
    await writeFile(path.join(opts.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return { summary, issues };
}

function printSummary(summary: Summary, opts: Options): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const pad = (label: string) => label.padEnd(12);
  console.log(`${pad("files")}${summary.files}`);
  console.log(`${pad("rows read")}${summary.rowsRead}`);
  console.log(`${pad("written")}${summary.written}${opts.dryRun ? " (dry run)" : ""}`);
  console.log(`${pad("duplicates")}${summary.duplicates}`);
  console.log(`${pad("skipped")}${summary.skipped}`);
  console.log(`${pad("errors")}${summary.errors}`);
  console.log(`${pad("warnings")}${summary.warnings}`);
  if (!opts.dryRun) {
    console.log(`${pad("shards")}${summary.shards.map((s) => `${s.file} (${s.records})`).join(", ") || "none"}`);
    console.log(`${pad("output")}${path.resolve(opts.out)}`);
  }
  console.log(`${pad("elapsed")}${(summary.durationMs / 1000).toFixed(2)}s`);
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }

  try {
    const { summary } = await run(opts);
    printSummary(summary, opts);
    if (summary.errors > 0) return 1;
    if (opts.strict && summary.warnings > 0) return 1;
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    console.error(`fatal: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
