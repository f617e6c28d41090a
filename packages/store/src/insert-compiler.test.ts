import Database from 'better-sqlite3';
import { CamelCasePlugin, Kysely, OperationNodeTransformer, type PrimitiveValueListNode } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { InsertCompiler } from './insert-compiler.js';
import { SbxSqliteDialect } from './sbx-sqlite-dialect.js';

interface Db {
  item: { id: number; label: string | null; weight: number };
}

const dbs: Kysely<Db>[] = [];
async function database(camelCase = false): Promise<Kysely<Db>> {
  const db = new Kysely<Db>({
    dialect: new SbxSqliteDialect({ database: new Database(':memory:') }),
    plugins: camelCase ? [new CamelCasePlugin()] : [],
  });
  dbs.push(db);
  await db.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text')
    .addColumn('weight', 'real', (c) => c.notNull())
    .execute();
  return db;
}
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.destroy()));
});

describe('InsertCompiler', () => {
  it('binds each value to its own column, whatever order the row object has', async () => {
    const db = await database();
    // Columns listed in a different order than the table and the row literal.
    const compiler = new InsertCompiler(db, 'item', ['weight', 'label', 'id']);
    for (const query of compiler.compile([
      { label: "it's", id: 2, weight: 2.5 },
      { id: 1, weight: 1, label: null },
    ])) {
      await db.executeQuery(query);
    }
    expect(await db.selectFrom('item').selectAll().orderBy('id').execute()).toEqual([
      { id: 1, label: null, weight: 1 },
      { id: 2, label: "it's", weight: 2.5 },
    ]);
  });

  it('splits rows into statements of at most maxRows and reuses one compiled text per row count', async () => {
    const db = await database();
    const compiler = new InsertCompiler(db, 'item', ['id', 'label', 'weight'], 2);
    const rows = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, label: `#${i}`, weight: i }));
    const queries = compiler.compile(rows);
    expect(queries.map((q) => q.parameters.length)).toEqual([6, 6, 3]);
    expect(queries[0]?.sql).toBe(queries[1]?.sql);
    expect(compiler.compile(rows.slice(0, 2))[0]?.sql).toBe(queries[0]?.sql);
    for (const query of queries) await db.executeQuery(query);
    expect((await db.selectFrom('item').select('label').orderBy('id').execute()).map((r) => r.label)).toEqual(
      ['#0', '#1', '#2', '#3', '#4'],
    );
  });

  it('binds a missing value as NULL and compiles nothing for no rows', async () => {
    const db = await database();
    const compiler = new InsertCompiler(db, 'item', ['id', 'label', 'weight']);
    expect(compiler.compile([])).toEqual([]);
    const [query] = compiler.compile([{ id: 9, weight: 3 }]);
    expect(query?.parameters).toEqual([9, null, 3]);
  });

  it('goes through the Kysely instance and its plugins', async () => {
    const db = await database(true);
    const compiler = new InsertCompiler(db, 'item', ['id', 'weight']);
    const [query] = compiler.compile([{ id: 1, weight: 2 }]);
    expect(query?.sql).toBe('insert into "item" ("id", "weight") values (?, ?)');
  });

  it('refuses to cache a statement whose parameters are not the values it was given', async () => {
    // A plugin that rewrites values would make the cached statement bind the wrong data: fail loudly.
    class Upper extends OperationNodeTransformer {
      protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
        return { ...node, values: node.values.map((v) => (typeof v === 'string' ? v.toUpperCase() : v)) };
      }
    }
    const upper = new Upper();
    const db = (await database()).withPlugin({
      transformQuery: (args) => upper.transformNode(args.node),
      transformResult: async (args) => args.result,
    });
    const compiler = new InsertCompiler(db, 'item', ['id', 'label', 'weight']);
    expect(() => compiler.compile([{ id: 1, label: 'a', weight: 1 }])).toThrow(
      /unexpected parameter in INSERT INTO item/,
    );
  });
});
