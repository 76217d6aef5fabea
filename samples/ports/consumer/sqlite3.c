// SPDX-License-Identifier: MIT
// Uses the installed SQLite library.
#include <sqlite3.h>

#include <stdio.h>

int main(void) {
    sqlite3* db;
    sqlite3_stmt* stmt;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 1;
    const char* sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                      "SELECT sum(i) FROM n";
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
        return 1;
    printf("sqlite %s: sum=%lld\n", sqlite3_libversion(), (long long)sqlite3_column_int64(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return 0;
}
