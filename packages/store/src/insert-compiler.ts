import type { CompiledQuery, Insertable, Kysely } from 'kysely';

/** Default cap on rows per compiled INSERT (x columns = bound parameters; SQLite allows 32,766). */
export const DEFAULT_MAX_ROWS_PER_INSERT = 100;

type LooseDatabase = Kysely<Record<string, Record<string, unknown>>>;

interface Template {
  query: CompiledQuery;
  /** For each bound parameter: [row index, column name]. */
  slots: [number, string][];
}

/**
 * Builds a table's INSERT with Kysely once per row count and afterwards only fills in the parameters:
 * the store's hot writes then skip Kysely's builder and compiler, which cost more than SQLite's insert.
 */
export class InsertCompiler<DB, TB extends keyof DB & string> {
  readonly #db: LooseDatabase;
  readonly #table: TB;
  readonly #columns: readonly (keyof Insertable<DB[TB]> & string)[];
  readonly #maxRows: number;
  readonly #templates = new Map<number, Template>();
  readonly #skipDuplicates: boolean;

  constructor(
    db: Kysely<DB>,
    table: TB,
    columns: readonly (keyof Insertable<DB[TB]> & string)[],
    maxRows = DEFAULT_MAX_ROWS_PER_INSERT,
    options: { skipDuplicates?: boolean } = {},
  ) {
    this.#db = db as unknown as LooseDatabase;
    this.#table = table;
    this.#columns = columns;
    this.#maxRows = Math.max(1, Math.floor(maxRows));
    this.#skipDuplicates = options.skipDuplicates === true;
  }

  /** The statements that insert `rows`, at most `maxRows` rows each; a missing value is bound as NULL. */
  compile(rows: readonly Insertable<DB[TB]>[]): CompiledQuery[] {
    const queries: CompiledQuery[] = [];
    for (let start = 0; start < rows.length; start += this.#maxRows) {
      const chunk = rows.slice(start, start + this.#maxRows) as readonly Record<string, unknown>[];
      const { query, slots } = this.#template(chunk.length);
      queries.push({ ...query, parameters: slots.map(([row, column]) => chunk[row]?.[column] ?? null) });
    }
    return queries;
  }

  #template(rowCount: number): Template {
    const cached = this.#templates.get(rowCount);
    if (cached) return cached;
    // Compile with a unique marker per value, then read back where each marker landed: the parameter
    // order is whatever Kysely (and any plugin) produced, never assumed.
    const markers = new Map<string, [number, string]>();
    const values = Array.from({ length: rowCount }, (_, row) =>
      Object.fromEntries(
        this.#columns.map((column) => {
          const marker = `\u0000sbx-insert-compiler:${row}:${column}`;
          markers.set(marker, [row, column]);
          return [column, marker];
        }),
      ),
    );
    // `on conflict do nothing` (SQLite and PostgreSQL): a row whose key is already stored is skipped, its
    // triggers do not fire, so a replayed write (a spool flushed twice) counts once.
    const insert = this.#db.insertInto(this.#table).values(values);
    const query = (this.#skipDuplicates ? insert.onConflict((oc) => oc.doNothing()) : insert).compile();
    const slots = query.parameters.map((parameter) => {
      const slot = typeof parameter === 'string' ? markers.get(parameter) : undefined;
      if (!slot) throw new Error(`InsertCompiler: unexpected parameter in INSERT INTO ${this.#table}`);
      return slot;
    });
    if (slots.length !== markers.size) {
      throw new Error(
        `InsertCompiler: INSERT INTO ${this.#table} binds ${slots.length} of ${markers.size} values`,
      );
    }
    const template = { query, slots };
    this.#templates.set(rowCount, template);
    return template;
  }
}
