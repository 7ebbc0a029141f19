import pg from "pg";
import { inject } from "vitest";

/** A new, empty database on the PostgreSQL server the global setup started, as a connection URL. */
export async function freshPostgresUrl(): Promise<string> {
  const name = `t${Math.random().toString(36).slice(2)}`;
  const admin = new pg.Client({ connectionString: inject("postgresUrl") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return inject("postgresUrl").replace(/\/postgres$/, `/${name}`);
}
