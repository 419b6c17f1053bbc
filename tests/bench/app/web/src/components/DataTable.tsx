import React, {
  ChangeEvent,
  KeyboardEvent,
  ReactNode,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
} from "react";
import styles from "./DataTable.module.css";

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

export type SortDirection = "asc" | "desc";

export interface SortState<K extends string = string> {
  key: K;
  direction: SortDirection;
}

export interface ColumnDef<Row, K extends string = string> {
  /** Unique key; also used as the sort key. */
  key: K;
  header: ReactNode;
  /** Extracts the value used for sorting and filtering. */
  accessor: (row: Row) => string | number | Date | null | undefined;
  /** Custom cell rendering; defaults to the accessor value. */
  cell?: (row: Row) => ReactNode;
  sortable?: boolean;
  filterable?: boolean;
  align?: "left" | "right" | "center";
  width?: number | string;
}

export interface FetchParams<K extends string> {
  page: number;
  pageSize: number;
  sort: SortState<K> | null;
  filter: string;
  signal: AbortSignal;
}

export interface FetchResult<Row> {
  rows: Row[];
  total: number;
}

export interface DataTableProps<Row, K extends string = string> {
  columns: ColumnDef<Row, K>[];
  /** Either provide rows directly (client-side mode) ... */
  rows?: Row[];
  /** ... or a fetcher (server-side mode). */
  fetchRows?: (params: FetchParams<K>) => Promise<FetchResult<Row>>;
  rowKey: (row: Row) => string;
  pageSizeOptions?: number[];
  initialSort?: SortState<K>;
  selectable?: boolean;
  onSelectionChange?: (keys: string[]) => void;
  onRowClick?: (row: Row) => void;
  emptyMessage?: ReactNode;
  caption?: string;
  /** Persist sort/page size to localStorage under this key. */
  persistKey?: string;
}

// ---------------------------------------------------------------------------
// Table state reducer
// ---------------------------------------------------------------------------

interface TableState<K extends string> {
  page: number;
  pageSize: number;
  sort: SortState<K> | null;
  filter: string;
  selected: Set<string>;
}

type TableAction<K extends string> =
  | { type: "setPage"; page: number }
  | { type: "setPageSize"; pageSize: number }
  | { type: "toggleSort"; key: K }
  | { type: "setFilter"; filter: string }
  | { type: "toggleRow"; key: string }
  | { type: "setAll"; keys: string[]; selected: boolean }
  | { type: "clearSelection" };

function tableReducer<K extends string>(state: TableState<K>, action: TableAction<K>): TableState<K> {
  switch (action.type) {
    case "setPage":
      return { ...state, page: Math.max(1, action.page) };
    case "setPageSize":
      return { ...state, pageSize: action.pageSize, page: 1 };
    case "toggleSort": {
      if (!state.sort || state.sort.key !== action.key) {
        return { ...state, sort: { key: action.key, direction: "asc" }, page: 1 };
      }
      if (state.sort.direction === "asc") {
        return { ...state, sort: { key: action.key, direction: "desc" }, page: 1 };
      }
      return { ...state, sort: null, page: 1 };
    }
    case "setFilter":
      return { ...state, filter: action.filter, page: 1 };
    case "toggleRow": {
      const selected = new Set(state.selected);
      if (selected.has(action.key)) selected.delete(action.key);
      else selected.add(action.key);
      return { ...state, selected };
    }
    case "setAll": {
      const selected = new Set(state.selected);
      for (const k of action.keys) {
        if (action.selected) selected.add(k);
        else selected.delete(k);
      }
      return { ...state, selected };
    }
    case "clearSelection":
      return { ...state, selected: new Set() };
    default:
      return state;
  }
}

// ---------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------

function usePersistentSettings<K extends string>(
  persistKey: string | undefined,
  fallback: { pageSize: number; sort: SortState<K> | null },
) {
  const storageKey = persistKey ? `datatable:${persistKey}` : null;
  const initial = useMemo(() => {
    if (!storageKey || typeof window === "undefined") return fallback;
    try {
      const raw = window.localStorage.getItem(storageKey);
      if (!raw) return fallback;
      const parsed = JSON.parse(raw) as Partial<typeof fallback>;
      return {
        pageSize: typeof parsed.pageSize === "number" ? parsed.pageSize : fallback.pageSize,
        sort: parsed.sort ?? fallback.sort,
      };
    } catch {
      return fallback;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storageKey]);

  const save = useCallback(
    (value: { pageSize: number; sort: SortState<K> | null }) => {
      if (!storageKey) return;
      try {
        window.localStorage.setItem(storageKey, JSON.stringify(value));
      } catch {
        // Quota exceeded or storage disabled; settings simply won't persist.
      }
    },
    [storageKey],
  );

  return [initial, save] as const;
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs]);
  return debounced;
}

type RemoteState<Row> =
  | { status: "idle" | "loading"; rows: Row[]; total: number; error: null }
  | { status: "success"; rows: Row[]; total: number; error: null }
  | { status: "error"; rows: Row[]; total: number; error: Error };

function useRemoteRows<Row, K extends string>(
  fetchRows: DataTableProps<Row, K>["fetchRows"],
  params: Omit<FetchParams<K>, "signal">,
) {
  const [state, setState] = useState<RemoteState<Row>>({ status: "idle", rows: [], total: 0, error: null });
  const [reloadToken, setReloadToken] = useState(0);

  useEffect(() => {
    if (!fetchRows) return;
    const controller = new AbortController();
    setState((s) => ({ status: "loading", rows: s.rows, total: s.total, error: null }));
    fetchRows({ ...params, signal: controller.signal })
      .then((res) => {
        if (!controller.signal.aborted) {
          setState({ status: "success", rows: res.rows, total: res.total, error: null });
        }
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        const error = e instanceof Error ? e : new Error(String(e));
        setState((s) => ({ status: "error", rows: s.rows, total: s.total, error }));
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetchRows, params.page, params.pageSize, params.sort?.key, params.sort?.direction, params.filter, reloadToken]);

  const reload = useCallback(() => setReloadToken((t) => t + 1), []);
  return { ...state, reload };
}

// ---------------------------------------------------------------------------
// Client-side helpers
// ---------------------------------------------------------------------------

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

export function sortRows<Row, K extends string>(
  rows: Row[],
  columns: ColumnDef<Row, K>[],
  sort: SortState<K> | null,
): Row[] {
  if (!sort) return rows;
  const col = columns.find((c) => c.key === sort.key);
  if (!col) return rows;
  const factor = sort.direction === "asc" ? 1 : -1;
  // Decorate-sort-undecorate keeps the sort stable and calls accessor once per row.
  return rows
    .map((row, index) => ({ row, index, value: col.accessor(row) }))
    .sort((x, y) => compareValues(x.value, y.value) * factor || x.index - y.index)
    .map((x) => x.row);
}

export function filterRows<Row, K extends string>(rows: Row[], columns: ColumnDef<Row, K>[], filter: string): Row[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return rows;
  const filterable = columns.filter((c) => c.filterable !== false);
  return rows.filter((row) =>
    filterable.some((c) => {
      const v = c.accessor(row);
      if (v === null || v === undefined) return false;
      const text = v instanceof Date ? v.toISOString() : String(v);
      return text.toLowerCase().includes(needle);
    }),
  );
}

// ---------------------------------------------------------------------------
// Sub-components
// ---------------------------------------------------------------------------

function SortIndicator({ direction }: { direction: SortDirection | null }) {
  if (!direction) return <span className={styles.sortIdle} aria-hidden="true">↕</span>;
  return (
    <span className={styles.sortActive} aria-hidden="true">
      {direction === "asc" ? "▲" : "▼"}
    </span>
  );
}

interface PaginationProps {
  page: number;
  pageCount: number;
  pageSize: number;
  pageSizeOptions: number[];
  total: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}

function Pagination({ page, pageCount, pageSize, pageSizeOptions, total, onPage, onPageSize }: PaginationProps) {
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <nav className={styles.pagination} aria-label="Pagination">
      <span className={styles.range}>
        {from}–{to} of {total.toLocaleString()}
      </span>
      <label className={styles.pageSize}>
        Rows per page
        <select value={pageSize} onChange={(e: ChangeEvent<HTMLSelectElement>) => onPageSize(Number(e.target.value))}>
          {pageSizeOptions.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => onPage(1)} disabled={page <= 1} aria-label="First page">
        «
      </button>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1} aria-label="Previous page">
        ‹
      </button>
      <span aria-current="page">
        Page {page} / {Math.max(1, pageCount)}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pageCount} aria-label="Next page">
        ›
      </button>
      <button type="button" onClick={() => onPage(pageCount)} disabled={page >= pageCount} aria-label="Last page">
        »
      </button>
    </nav>
  );
}

// ---------------------------------------------------------------------------
// DataTable
// ---------------------------------------------------------------------------

export function DataTable<Row, K extends string = string>({
  columns,
  rows,
  fetchRows,
  rowKey,
  pageSizeOptions = [10, 25, 50, 100],
  initialSort,
  selectable = false,
  onSelectionChange,
  onRowClick,
  emptyMessage = "No results",
  caption,
  persistKey,
}: DataTableProps<Row, K>) {
  const [persisted, savePersisted] = usePersistentSettings<K>(persistKey, {
    pageSize: pageSizeOptions[0],
    sort: initialSort ?? null,
  });

  const [state, dispatch] = useReducer(tableReducer<K>, undefined, () => ({
    page: 1,
    pageSize: persisted.pageSize,
    sort: persisted.sort,
    filter: "",
    selected: new Set<string>(),
  }));

  const [filterInput, setFilterInput] = useState("");
  const debouncedFilter = useDebounced(filterInput, 250);
  useEffect(() => dispatch({ type: "setFilter", filter: debouncedFilter }), [debouncedFilter]);

  useEffect(() => {
    savePersisted({ pageSize: state.pageSize, sort: state.sort });
  }, [state.pageSize, state.sort, savePersisted]);

  const serverMode = typeof fetchRows === "function";
  const remote = useRemoteRows<Row, K>(fetchRows, {
    page: state.page,
    pageSize: state.pageSize,
    sort: state.sort,
    filter: state.filter,
  });

  // Client-side pipeline: filter -> sort -> slice. Deferred so typing stays responsive on big tables.
  const deferredRows = useDeferredValue(rows);
  const processed = useMemo(() => {
    if (serverMode || !deferredRows) return null;
    const filtered = filterRows(deferredRows, columns, state.filter);
    return sortRows(filtered, columns, state.sort);
  }, [serverMode, deferredRows, columns, state.filter, state.sort]);

  const total = serverMode ? remote.total : processed?.length ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / state.pageSize));
  const visibleRows: Row[] = serverMode
    ? remote.rows
    : (processed ?? []).slice((state.page - 1) * state.pageSize, state.page * state.pageSize);

  // Clamp the page when the data shrinks underneath us.
  useEffect(() => {
    if (state.page > pageCount) dispatch({ type: "setPage", page: pageCount });
  }, [state.page, pageCount]);

  const onSelectionChangeRef = useRef(onSelectionChange);
  onSelectionChangeRef.current = onSelectionChange;
  useEffect(() => {
    onSelectionChangeRef.current?.([...state.selected]);
  }, [state.selected]);

  const visibleKeys = useMemo(() => visibleRows.map(rowKey), [visibleRows, rowKey]);
  const allVisibleSelected = visibleKeys.length > 0 && visibleKeys.every((k) => state.selected.has(k));
  const someVisibleSelected = visibleKeys.some((k) => state.selected.has(k));

  const headerCheckbox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headerCheckbox.current) {
      headerCheckbox.current.indeterminate = someVisibleSelected && !allVisibleSelected;
    }
  }, [someVisibleSelected, allVisibleSelected]);

  const handleHeaderKey = (e: KeyboardEvent<HTMLTableCellElement>, key: K) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      dispatch({ type: "toggleSort", key });
    }
  };

  const loading = serverMode && remote.status === "loading";

  return (
    <div className={styles.wrapper} aria-busy={loading}>
      <div className={styles.toolbar}>
        <input
          type="search"
          className={styles.search}
          placeholder="Filter…"
          value={filterInput}
          onChange={(e) => setFilterInput(e.target.value)}
          aria-label="Filter rows"
        />
        {selectable && state.selected.size > 0 && (
          <span className={styles.selectionInfo}>
            {state.selected.size} selected
            <button type="button" className={styles.linkButton} onClick={() => dispatch({ type: "clearSelection" })}>
              Clear
            </button>
          </span>
        )}
        {serverMode && remote.status === "error" && (
          <span role="alert" className={styles.error}>
            Failed to load: {remote.error?.message}{" "}
            <button type="button" className={styles.linkButton} onClick={remote.reload}>
              Retry
            </button>
          </span>
        )}
      </div>

      <table className={styles.table}>
        {caption && <caption className={styles.caption}>{caption}</caption>}
        <thead>
          <tr>
            {selectable && (
              <th className={styles.checkboxCell}>
                <input
                  ref={headerCheckbox}
                  type="checkbox"
                  checked={allVisibleSelected}
                  onChange={(e) => dispatch({ type: "setAll", keys: visibleKeys, selected: e.target.checked })}
                  aria-label="Select all rows on this page"
                />
              </th>
            )}
            {columns.map((col) => {
              const active = state.sort?.key === col.key ? state.sort.direction : null;
              const sortable = col.sortable !== false;
              return (
                <th
                  key={col.key}
                  scope="col"
                  style={{ width: col.width, textAlign: col.align ?? "left" }}
                  className={sortable ? styles.sortable : undefined}
                  aria-sort={active === "asc" ? "ascending" : active === "desc" ? "descending" : "none"}
                  tabIndex={sortable ? 0 : undefined}
                  onClick={sortable ? () => dispatch({ type: "toggleSort", key: col.key }) : undefined}
                  onKeyDown={sortable ? (e) => handleHeaderKey(e, col.key) : undefined}
                >
                  {col.header}
                  {sortable && <SortIndicator direction={active} />}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {visibleRows.length === 0 && !loading && (
            <tr>
              <td colSpan={columns.length + (selectable ? 1 : 0)} className={styles.empty}>
                {emptyMessage}
              </td>
            </tr>
          )}
          {visibleRows.map((row) => {
            const key = rowKey(row);
            const isSelected = state.selected.has(key);
            return (
              <tr
                key={key}
                className={`${styles.row} ${isSelected ? styles.selected : ""} ${onRowClick ? styles.clickable : ""}`}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
                aria-selected={selectable ? isSelected : undefined}
              >
                {selectable && (
                  <td className={styles.checkboxCell} onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      checked={isSelected}
                      onChange={() => dispatch({ type: "toggleRow", key })}
                      aria-label={`Select row ${key}`}
                    />
                  </td>
                )}
                {columns.map((col) => {
                  const value = col.accessor(row);
                  const content =
                    col.cell?.(row) ??
                    (value instanceof Date ? value.toLocaleString() : value === null || value === undefined ? "—" : String(value));
                  return (
                    <td key={col.key} style={{ textAlign: col.align ?? "left" }}>
                      {content}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>

      {loading && <div className={styles.loadingOverlay}>Loading…</div>}

      <Pagination
        page={state.page}
        pageCount={pageCount}
        pageSize={state.pageSize}
        pageSizeOptions={pageSizeOptions}
        total={total}
        onPage={(page) => dispatch({ type: "setPage", page: Math.min(page, pageCount) })}
        onPageSize={(pageSize) => dispatch({ type: "setPageSize", pageSize })}
      />
    </div>
  );
}

// ---------------------------------------------------------------------------
// Example: bucket inventory table used on the storage admin page
// ---------------------------------------------------------------------------

export interface BucketRow {
  name: string;
  region: string;
  objectCount: number;
  sizeBytes: number;
  versioning: "Enabled" | "Suspended" | "Disabled";
  createdAt: Date;
}

function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let n = bytes;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

const bucketColumns: ColumnDef<BucketRow, keyof BucketRow & string>[] = [
  { key: "name", header: "Bucket", accessor: (r) => r.name, cell: (r) => <code>{r.name}</code> },
  { key: "region", header: "Region", accessor: (r) => r.region, width: 140 },
  { key: "objectCount", header: "Objects", accessor: (r) => r.objectCount, align: "right", cell: (r) => r.objectCount.toLocaleString() },
  { key: "sizeBytes", header: "Size", accessor: (r) => r.sizeBytes, align: "right", cell: (r) => formatBytes(r.sizeBytes) },
  {
    key: "versioning",
    header: "Versioning",
    accessor: (r) => r.versioning,
    cell: (r) => <span className={styles[`badge${r.versioning}`]}>{r.versioning}</span>,
  },
  { key: "createdAt", header: "Created", accessor: (r) => r.createdAt, filterable: false },
];

export function BucketInventoryTable({ apiBase = "/api" }: { apiBase?: string }) {
  const fetchBuckets = useCallback(
    async ({ page, pageSize, sort, filter, signal }: FetchParams<keyof BucketRow & string>) => {
      const qs = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
      if (sort) qs.set("sort", `${sort.key}:${sort.direction}`);
      if (filter) qs.set("q", filter);
      const res = await fetch(`${apiBase}/storage/buckets?${qs}`, { signal, headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { items: Array<Omit<BucketRow, "createdAt"> & { createdAt: string }>; total: number };
      return { rows: body.items.map((b) => ({ ...b, createdAt: new Date(b.createdAt) })), total: body.total };
    },
    [apiBase],
  );

  return (
    <DataTable
      caption="Storage buckets"
      columns={bucketColumns}
      fetchRows={fetchBuckets}
      rowKey={(r) => `${r.region}/${r.name}`}
      initialSort={{ key: "createdAt", direction: "desc" }}
      persistKey="bucket-inventory"
      selectable
      emptyMessage="No buckets match the current filter."
    />
  );
}

export default DataTable;
