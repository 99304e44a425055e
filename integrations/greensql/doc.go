// Package greensql makes database/sql usable by greenlets that outnumber
// the database connections, with any driver whose connections do their I/O
// on the calling goroutine (pgx's stdlib with greenpgx.ConfigureConn,
// for one): a driver.Connector wrapper whose own connection pool waits
// cooperatively.
//
//	cfg, _ := pgx.ParseConfig(dsn)
//	db, _ := greensql.OpenDB(stdlib.GetConnector(*greenpgx.ConfigureConn(cfg)), greensql.Options{MaxConns: 20})
//	defer db.Close()
//	green.Spawn(func() { db.QueryRowContext(ctx, "SELECT 1").Scan(&one) }) // parks, never blocks the hub
//
// # Why a connector, and what it does
//
// database/sql waits for a free connection, once MaxOpenConns are open, on
// a Go channel (its connRequests): a greenlet waiting there stops its hub,
// and the greenlets holding the connections, parked on that hub, never
// give them back (a hang). No hook of database/sql runs before that wait,
// so the fix has to keep database/sql from ever waiting: OpenDB sets no
// limit on database/sql's open connections (SetMaxOpenConns(0)), and the
// connections database/sql opens are light handles that this package binds
// to real ("physical") driver connections only while database/sql uses
// them, from its own pool of at most MaxConns:
//
//   - a handle takes a physical connection when database/sql opens it
//     (Connect) or takes it from its idle list (ResetSession), waiting
//     cooperatively (a greenlet parks, a plain goroutine blocks; the
//     context ends the wait) while MaxConns are in use;
//   - it gives it back when database/sql returns the handle to its idle
//     list (IsValid, which database/sql calls on every return) or closes
//     it.
//
// So a query, a transaction, a *sql.Conn or a *sql.Rows holds one physical
// connection for exactly as long as database/sql holds a connection for
// it, as with database/sql's own limit. Session state set by a statement
// lasts as long as database/sql promises it does (a *sql.Conn, a *sql.Tx).
// Prepared statements (DB.Prepare) are prepared again, lazily, on each
// physical connection a handle is bound to, as database/sql does across
// its own connections.
//
// # Rules for greenlets
//
// database/sql holds a sync.Mutex per connection while it calls the
// driver, and a *sql.Tx, *sql.Conn or *sql.Rows may take locks that
// another goroutine of the same transaction holds: use each of those from
// one greenlet at a time (two greenlets of one hub sharing one would
// deadlock the hub). Do not call db.SetMaxOpenConns: database/sql's own
// wait would come back. sql.Conn.Raw hands the function this package's
// handle; Unwrap gives the driver's connection.
package greensql
